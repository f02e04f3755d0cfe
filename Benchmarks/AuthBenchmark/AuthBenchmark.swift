import Foundation
import Hummingbird
import Logging
import Shared

/// `auth-bench`: the in-process side of `scripts/bench`.
///
/// - `auth-bench verify [iterations]`: nanoseconds per cached key verification (parse, checksum,
///   SHA-256 digest, cache lookup) and per rate-limit admission, measured in this process.
/// - `auth-bench memory [keys]`: the heap each cached key adds, in the key cache and in the
///   rate limiter's state (what the catalog holds for a key, measured apart from the allocator's
///   slack and what its requests leave behind).
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
        case "memory":
            try await memory(keys: arguments.dropFirst().first.flatMap(Int.init) ?? 100_000)
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
                Data(
                    "usage: auth-bench verify [iterations] | memory [keys] | reference <port> | reference-db <port> <keys-url> <catalog-url> <pool>\n"
                        .utf8))
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

    /// Caches `keys` distinct keys as the catalog would (each verified once, then admitted once by
    /// the rate limiter) and prints the heap each one added, per structure.
    static func memory(keys: Int) async throws {
        let verifier = KeyVerifier(introspector: DistinctIntrospector(), ttl: .seconds(3600), maxEntries: keys, metrics: ServiceMetrics())
        let limiter = RateLimiter(leaser: GenerousLeaser(), metrics: ServiceMetrics())
        let tokens = (0..<keys).map { _ in APIKeyToken.generate() }
        let base = heapInUse()
        for token in tokens { _ = try await verifier.verify(token, requestId: "fill") }
        let cached = heapInUse()
        for token in tokens {
            guard let key = try await verifier.verify(token, requestId: "fill") else { continue }
            _ = await limiter.admit(key, requestId: "fill")
        }
        // Leases fetched ahead finish in tasks of their own.
        try await Task.sleep(for: .milliseconds(500))
        let limited = heapInUse()
        print(String(format: "key_cache_bytes_per_key %.0f", Double(cached - base) / Double(keys)))
        print(String(format: "rate_limiter_bytes_per_key %.0f", Double(limited - cached) / Double(keys)))
        print(String(format: "rss_mib %.1f", Double(residentBytes()) / 1_048_576))
        withExtendedLifetime((verifier, limiter, tokens)) {}
    }

    /// The bytes the allocator has handed out and not had back, over all its arenas: glibc's
    /// `malloc_stats()` (looked up at run time: Swift's Glibc module leaves `malloc.h` out) writes
    /// them to stderr as the "in use bytes" of its total, caught here in a file.
    static func heapInUse() -> Int {
        guard let symbol = dlsym(nil, "malloc_stats") else { return residentBytes() }
        let mallocStats = unsafeBitCast(symbol, to: (@convention(c) () -> Void).self)
        let path = NSTemporaryDirectory() + "auth-bench-malloc-\(getpid())"
        defer { unlink(path) }
        let file = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        let saved = dup(2)
        fflush(nil)
        dup2(file, 2)
        mallocStats()
        fflush(nil)
        dup2(saved, 2)
        close(saved)
        close(file)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let total = text.components(separatedBy: "Total (incl. mmap):").last ?? ""
        let line = total.split(separator: "\n").first { $0.contains("in use bytes") }
        return line.flatMap { Int($0.split(separator: "=").last!.trimmingCharacters(in: .whitespaces)) } ?? residentBytes()
    }

    /// The process's resident memory (`/proc/self/statm`), where glibc's figures are not there.
    static func residentBytes() -> Int {
        let fields = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8))?.split(separator: " ") ?? []
        return fields.count > 1 ? Int(fields[1])! * sysconf(Int32(_SC_PAGESIZE)) : 0
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

/// Answers every introspection with a key of its own, as a real key's answer looks: four
/// scopes, the starter plan's limits, no expiry.
struct DistinctIntrospector: KeyIntrospector {
    func introspect(_ token: APIKeyToken, requestId: String) async throws -> VerifiedKey? {
        VerifiedKey(
            keyId: UUID(), organizationId: UUID(), scopes: [.jobsRead, .jobsWrite, .candidatesRead, .interviewsRead],
            rateLimits: RateLimits(plan: .STARTER, perSecond: 10, perMinute: 500))
    }
}

/// Grants whatever is asked: the benchmark measures local admission, not the ledger.
struct GenerousLeaser: RateLimitLeaser {
    func lease(key: UUID, limits: RateLimits, second: Int64, want: Int, requestId: String) async -> RateLimitLease? {
        RateLimitLease(second: second, granted: want, secondUsed: want, minuteUsed: want)
    }
}
