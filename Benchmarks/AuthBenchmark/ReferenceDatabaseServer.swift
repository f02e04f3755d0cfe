import Crypto
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Shared

/// `auth-bench reference-db <port> <keys-database-url> <catalog-database-url> <pool>`: the
/// ceiling of our own stack for database work. A minimal Hummingbird + PostgresNIO server, no
/// middleware: `GET /jobs/{organization}/{id}` runs the catalog's job-by-id query and encodes a
/// job as the catalog does (`/prepared/jobs/…`: the same as a named prepared statement); `POST /introspect` (`token=…`) digests the key, runs introspection's
/// lookup and encodes an answer of the same fields.
enum ReferenceDatabaseServer {
    /// The catalog's job, as it answers it.
    struct Job: ResponseEncodable {
        let id: String
        let title: String
        let description: String?
        let department: String?
        let location: String?
        let workMode: String?
        let seniority: String?
        let contractType: String?
        let salaryMin: Int?
        let salaryMax: Int?
        let dailyRate: Int?
        let skills: [String]
        let status: String
        let createdAt: Date
        let updatedAt: Date
    }

    /// Introspection's answer for an active key.
    struct Introspection: ResponseEncodable {
        let active: Bool
        let keyId: String
        let organizationId: String
        let scopes: [String]
        let plan: String
        let iat: Int
        let exp: Int?
    }

    /// The same job query as a named prepared statement (parsed and planned once per
    /// connection), to measure what preparing each query costs.
    struct JobByID: PostgresPreparedStatement {
        static let sql = """
            SELECT id, title, description, department, location, work_mode, seniority, contract_type,
                   salary_min, salary_max, daily_rate, skills, status, created_at, updated_at
            FROM jobs WHERE id = $1 AND organization_id = $2
            """
        typealias Row = Job
        let id: UUID
        let organizationId: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(id)
            bindings.append(organizationId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Job { try ReferenceDatabaseServer.job(row) }
    }

    /// A job from a row of the job query.
    static func job(_ row: PostgresRow) throws -> Job {
        let r = row.makeRandomAccess()
        return Job(
            id: try r["id"].decode(UUID.self).uuidString.lowercased(), title: try r["title"].decode(String.self),
            description: try r["description"].decode(String?.self), department: try r["department"].decode(String?.self),
            location: try r["location"].decode(String?.self), workMode: try r["work_mode"].decode(String?.self),
            seniority: try r["seniority"].decode(String?.self), contractType: try r["contract_type"].decode(String?.self),
            salaryMin: try r["salary_min"].decode(Int?.self), salaryMax: try r["salary_max"].decode(Int?.self),
            dailyRate: try r["daily_rate"].decode(Int?.self), skills: try r["skills"].decode([String].self),
            status: try r["status"].decode(String.self), createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }

    struct Context: RequestContext {
        var coreContext: CoreRequestContextStorage
        init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
        var responseEncoder: JSONEncoder { Self.encoder }
        /// The services' encoder settings: ISO-8601 dates, sorted keys.
        static let encoder: JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return encoder
        }()
    }

    static func run(port: Int, keysURL: String, catalogURL: String, pool: Int) async throws {
        let logger = {
            var logger = Logger(label: "reference-db")
            logger.logLevel = .warning
            return logger
        }()
        let keys = PostgresClient(configuration: try DatabaseURL.configuration(from: keysURL, poolSize: pool), backgroundLogger: logger)
        let catalog = PostgresClient(configuration: try DatabaseURL.configuration(from: catalogURL, poolSize: pool), backgroundLogger: logger)
        let router = Router(context: Context.self)
        router.get("/jobs/{organization}/{id}") { _, context -> Job in
            guard let organization = UUID(uuidString: context.parameters.get("organization") ?? ""),
                let id = UUID(uuidString: context.parameters.get("id") ?? "")
            else { throw HTTPError(.badRequest) }
            let rows = try await catalog.query(
                """
                SELECT id, title, description, department, location, work_mode, seniority, contract_type,
                       salary_min, salary_max, daily_rate, skills, status, created_at, updated_at
                FROM jobs WHERE id = \(id) AND organization_id = \(organization)
                """,
                logger: logger
            )
            for try await row in rows { return try job(row) }
            throw HTTPError(.notFound)
        }
        router.get("/prepared/jobs/{organization}/{id}") { _, context -> Job in
            guard let organization = UUID(uuidString: context.parameters.get("organization") ?? ""),
                let id = UUID(uuidString: context.parameters.get("id") ?? "")
            else { throw HTTPError(.badRequest) }
            for try await job in try await catalog.run(JobByID(id: id, organizationId: organization), logger: logger) { return job }
            throw HTTPError(.notFound)
        }
        router.post("/introspect") { request, context -> Introspection in
            let body = try await request.body.collect(upTo: 4096)
            let token = String(buffer: body).split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
            let digest = Data(SHA256.hash(data: Data(token.utf8)))
            let rows = try await keys.query(
                """
                SELECT k.id, k.organization_id, k.scopes, k.created_at, k.expires_at, o.plan, o.rate_per_second, o.rate_per_minute
                FROM api_keys k JOIN organizations o ON o.id = k.organization_id
                WHERE k.digest = \(digest) AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
                """,
                logger: logger
            )
            for try await (id, organizationId, scopes, createdAt, expiresAt, plan, _, _) in rows.decode(
                (UUID, UUID, [String], Date, Date?, String, Int?, Int?).self)
            {
                return Introspection(
                    active: true, keyId: id.uuidString.lowercased(), organizationId: organizationId.uuidString.lowercased(), scopes: scopes,
                    plan: plan, iat: Int(createdAt.timeIntervalSince1970), exp: expiresAt.map { Int($0.timeIntervalSince1970.rounded(.up)) }
                )
            }
            throw HTTPError(.notFound)
        }
        let app = Application(
            router: router, server: .http1OnConnectionLoop(), configuration: .init(address: .hostname("127.0.0.1", port: port)),
            services: [keys, catalog], logger: logger
        )
        try await app.runService()
    }
}
