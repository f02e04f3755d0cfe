import Foundation
import Logging
import PostgresNIO
import Shared

/// Jobs in PostgreSQL; every statement names the organization.
struct JobRepository: ResourceStore {
    let client: PostgresClient
    let logger: Logger

    /// The list filters of `GET /api/v1/jobs`.
    struct Filters: Sendable {
        var status: Job.Status?
        var department: String?
        var workMode: Job.WorkMode?
    }

    static let columns = """
        id, title, description, department, location, work_mode, seniority, contract_type,
        salary_min, salary_max, daily_rate, skills, status, created_at, updated_at
        """

    /// Inserts the job, by a named prepared statement (`POST /api/v1/jobs` is the catalog's
    /// hottest write: docs/BENCHMARKS.md, "Prepared statements for the writes").
    func create(_ job: Job, organizationId: UUID) async throws {
        for try await _ in try await client.run(Insert(job: job, organizationId: organizationId), logger: logger) {}
    }

    /// `INSERT INTO jobs …`, prepared.
    struct Insert: PostgresPreparedStatement {
        static let sql = """
            INSERT INTO jobs (id, organization_id, title, description, department, location, work_mode, seniority,
                contract_type, salary_min, salary_max, daily_rate, skills, status, created_at, updated_at)
            VALUES ($1, $2, $3, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::int8, $11::int8, $12::int8,
                $13::text[], $14, $15, $16)
            """
        typealias Row = Void
        let job: Job
        let organizationId: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 16)
            bindings.append(job.id)
            bindings.append(organizationId)
            bindings.append(job.title)
            bindings.append(job.description)
            bindings.append(job.department)
            bindings.append(job.location)
            bindings.append(job.workMode?.rawValue)
            bindings.append(job.seniority?.rawValue)
            bindings.append(job.contractType?.rawValue)
            bindings.append(job.salaryMin)
            bindings.append(job.salaryMax)
            bindings.append(job.dailyRate)
            bindings.append(job.skills)
            bindings.append(job.status.rawValue)
            bindings.append(job.createdAt)
            bindings.append(job.updatedAt)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// One job, by a named prepared statement: `GET /api/v1/jobs/{id}` is the catalog's hottest
    /// read, and preparing its query once per connection instead of on every call gave the
    /// reference server 31 % more requests a second (docs/BENCHMARKS.md).
    func find(id: UUID, organizationId: UUID) async throws -> Job? {
        for try await job in try await client.run(ByID(id: id, organizationId: organizationId), logger: logger) { return job }
        return nil
    }

    /// `SELECT … FROM jobs WHERE id = $1 AND organization_id = $2`, prepared.
    struct ByID: PostgresPreparedStatement {
        static let sql = "SELECT \(JobRepository.columns) FROM jobs WHERE id = $1 AND organization_id = $2"
        typealias Row = Job
        let id: UUID
        let organizationId: UUID

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(id)
            bindings.append(organizationId)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Job { try JobRepository.job(row) }
    }

    func list(organizationId: UUID, filters: Filters, page: PageRequest) async throws -> ([Job], Int) {
        try await PageQuery.run(
            page,
            fetch: { limit, offset in
                try await client.run(
                    """
                    SELECT \(unescaped: Self.columns), count(*) OVER () AS total FROM jobs
                    WHERE organization_id = \(organizationId)
                      AND (\(filters.status?.rawValue)::text IS NULL OR status = \(filters.status?.rawValue))
                      AND (\(filters.department)::text IS NULL OR department = \(filters.department))
                      AND (\(filters.workMode?.rawValue)::text IS NULL OR work_mode = \(filters.workMode?.rawValue))
                    ORDER BY created_at DESC, id DESC LIMIT \(limit) OFFSET \(offset)
                    """,
                    logger: logger
                )
            }, item: Self.job)
    }

    /// Applies `change` to the job under a row lock and stores the result; nil if there is no such job.
    func update(id: UUID, organizationId: UUID, _ change: @Sendable (Job) throws -> Job) async throws -> Job? {
        try await client.updateLocked(
            logger: logger,
            read: { connection in
                try await Self.find(connection, id: id, organizationId: organizationId, lock: true, logger: logger)
            }, change: change,
            write: { connection, job in
                try await connection.query(
                    """
                    UPDATE jobs SET title = \(job.title), description = \(job.description), department = \(job.department),
                        location = \(job.location), work_mode = \(job.workMode?.rawValue), seniority = \(job.seniority?.rawValue),
                        contract_type = \(job.contractType?.rawValue), salary_min = \(job.salaryMin), salary_max = \(job.salaryMax),
                        daily_rate = \(job.dailyRate), skills = \(job.skills), status = \(job.status.rawValue), updated_at = \(job.updatedAt)
                    WHERE id = \(id) AND organization_id = \(organizationId)
                    """,
                    logger: logger
                )
            })
    }

    /// Deletes the job; false if there is none. A job that campaigns still use is refused with 409.
    func delete(id: UUID, organizationId: UUID) async throws -> Bool {
        do {
            let rows = try await client.run(
                "DELETE FROM jobs WHERE id = \(id) AND organization_id = \(organizationId) RETURNING id", logger: logger)
            return try await rows.collect().count == 1
        } catch let error as PSQLError where error.isForeignKeyViolation(of: "campaigns_job_fkey") {
            throw APIError.conflict("JOB_HAS_CAMPAIGNS", "This job still has campaigns; delete or move them first")
        }
    }

    static func find(_ runner: some PostgresQueryRunner, id: UUID, organizationId: UUID, lock: Bool, logger: Logger) async throws -> Job? {
        let rows = try await runner.run(
            "SELECT \(unescaped: columns) FROM jobs WHERE id = \(id) AND organization_id = \(organizationId) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        )
        return try await rows.collect().first.map(job)
    }

    static func job(_ row: PostgresRow) throws -> Job {
        let r = row.makeRandomAccess()
        return Job(
            id: try r["id"].decode(UUID.self),
            title: try r["title"].decode(String.self),
            description: try r["description"].decode(String?.self),
            department: try r["department"].decode(String?.self),
            location: try r["location"].decode(String?.self),
            workMode: try r["work_mode"].decodeEnum(Job.WorkMode?.self),
            seniority: try r["seniority"].decodeEnum(Job.Seniority?.self),
            contractType: try r["contract_type"].decodeEnum(Job.ContractType?.self),
            salaryMin: try r["salary_min"].decode(Int?.self),
            salaryMax: try r["salary_max"].decode(Int?.self),
            dailyRate: try r["daily_rate"].decode(Int?.self),
            skills: try r["skills"].decode([String].self),
            status: try r["status"].decodeEnum(Job.Status.self),
            createdAt: try r["created_at"].decode(Date.self),
            updatedAt: try r["updated_at"].decode(Date.self)
        )
    }
}
