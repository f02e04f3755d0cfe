import Foundation
import Hummingbird
import Logging
import Shared

/// `auth-bench`: the in-process side of `scripts/bench`.
///
/// - `auth-bench verify [iterations]`: nanoseconds per cached key verification (parse, checksum,
///   SHA-256 digest, cache lookup) and per rate-limit admission, measured in this process.
/// - `auth-bench reference <port>`: a plain Hummingbird endpoint that does nothing, as the
///   reference the authenticated endpoints are compared with.
/// - `auth-bench reference-db <port> <keys-url> <catalog-url> <pool>`: the same with the
///   catalog's job query and introspection's lookup (`ReferenceDatabaseServer`).
@main
struct AuthBenchmark {
    static func main() async throws {
        // The references run on the same executor as the services, so that the ratios measure
        // what the services add, not the executor (NIO_GLOBAL_EXECUTOR=0 turns it off in both).
        ServiceRuntime.installEventLoopsAsGlobalExecutor()
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "verify":
            try await verify(iterations: arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000)
        case "reference":
            try await reference(port: arguments.dropFirst().first.flatMap(Int.init) ?? 8090)
        case "reference-db":
            let values = Array(arguments.dropFirst())
            guard values.count == 4, let port = Int(values[0]), let pool = Int(values[3]) else {
                FileHandle.standardError.write(Data("usage: auth-bench reference-db <port> <keys-url> <catalog-url> <pool>\n".utf8))
                exit(2)
            }
            try await ReferenceDatabaseServer.run(port: port, keysURL: values[1], catalogURL: values[2], pool: pool)
        default:
            FileHandle.standardError.write(
                Data("usage: auth-bench verify [iterations] | reference <port> | reference-db <port> <keys-url> <catalog-url> <pool>\n".utf8))
            exit(2)
        }
    }

    /// Times the cached verification path and the rate limiter's local admission.
    static func verify(iterations: Int) async throws {
        let key = VerifiedKey(
            keyId: UUID(), organizationId: UUID(), scopes: [.jobsRead],
            rateLimits: RateLimits(plan: .ENTERPRISE, perSecond: 1_000_000, perMinute: 60_000_000)
        )
        let verifier = KeyVerifier(introspector: FixedIntrospector(key: key), ttl: .seconds(3600), maxEntries: 100_000, metrics: ServiceMetrics())
        let token = APIKeyToken.generate().value
        let header = "Bearer \(token)"
        // Fill the cache as a busy service's would be, then warm this key.
        for _ in 0..<10_000 {
            _ = try await verifier.verify(APIKeyToken.generate(), requestId: "fill")
        }
        _ = try await verifier.verify(APIKeyToken(parsing: token)!, requestId: "warm")

        var checksum = 0
        let start = ContinuousClock.now
        for _ in 0..<iterations {
            // What the middleware does with each request's header: strip the scheme, parse
            // (format and checksum), digest, and look the digest up.
            let parsed = APIKeyToken(parsing: String(header.dropFirst(7)))!
            if try await verifier.verify(parsed, requestId: "bench") != nil { checksum &+= 1 }
        }
        let verifyNanoseconds = Double((ContinuousClock.now - start).nanosecondsCount) / Double(iterations)

        let limiter = RateLimiter(leaser: GenerousLeaser(), metrics: ServiceMetrics())
        let admissions = min(iterations, 200_000)
        let limiterStart = ContinuousClock.now
        for _ in 0..<admissions {
            if await limiter.admit(key, requestId: "bench")?.allowed == true { checksum &+= 1 }
        }
        let admitNanoseconds = Double((ContinuousClock.now - limiterStart).nanosecondsCount) / Double(admissions)
        print(String(format: "verify_ns %.0f", verifyNanoseconds))
        print(String(format: "admit_ns %.0f", admitNanoseconds))
        print("checked \(checksum) answers over \(iterations) verifications and \(admissions) admissions")
    }

    /// Serves `GET /` with an empty 200 and nothing else: no middleware, no JSON.
    static func reference(port: Int) async throws {
        var logger = Logger(label: "reference")
        logger.logLevel = .warning
        let router = Router()
        router.get("/") { _, _ in HTTPResponse.Status.ok }
        let app = Application(
            router: router, server: .http1OnConnectionLoop(), configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        try await app.runService()
    }
}

/// Answers every introspection with the same key, at once: the benchmark measures the cache.
struct FixedIntrospector: KeyIntrospector {
    let key: VerifiedKey

    func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? { key }
}

/// Grants whatever is asked: the benchmark measures local admission, not the ledger.
struct GenerousLeaser: RateLimitLeaser {
    func lease(key: UUID, limits: RateLimits, second: Int64, want: Int, requestId: String) async -> RateLimitLease? {
        RateLimitLease(second: second, granted: want, secondUsed: want, minuteUsed: want)
    }
}
