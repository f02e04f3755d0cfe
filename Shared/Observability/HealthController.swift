import HTTPTypes
import Hummingbird
import PostgresNIO

/// `/healthz` (the process is up), `/readyz` (its database answers) and `/metrics` (docs/architecture.md).
public struct HealthController: Sendable {
    let postgres: PostgresClient
    let metrics: ServiceMetrics

    public init(postgres: PostgresClient, metrics: ServiceMetrics) {
        self.postgres = postgres
        self.metrics = metrics
    }

    /// Adds the three routes; they need no credentials.
    public func addRoutes(to router: Router<AppRequestContext>) {
        // The same answer every time, so its bytes are made once: JSONEncoder took up to 7 % of
        // the catalog's CPU under load on this tiny body (docs/BENCHMARKS.md's profile).
        let healthy = ByteBuffer(string: #"{"status":"ok"}"#)
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: healthy))
        }
        router.get("/readyz") { _, context in
            try await self.checkDatabase(logger: context.logger)
            return Status(status: "ready")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition()))
            )
        }
    }

    /// Runs `SELECT 1`, giving up after two seconds so a probe never hangs.
    func checkDatabase(logger: Logger) async throws {
        do {
            _ = try await withTimeout(.seconds(2)) {
                try await self.postgres.query("SELECT 1", logger: logger)
            }
        } catch {
            logger.warning("readiness check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.unavailable("The database is not reachable", retryAfter: 2)
        }
    }

    struct Status: ResponseEncodable {
        let status: String
    }
}
