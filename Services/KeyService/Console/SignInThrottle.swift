import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Shared
import Synchronization

/// Console sign-in throttling (docs/design/hostile-clients.md), counted in PostgreSQL so that it holds across
/// restarts and replicas: after 5 failed attempts for one email from one client address within
/// 15 minutes, and beyond 30 attempts a minute from one client address, an attempt is refused
/// before its password is checked. Attempts of one address are admitted one at a time (an
/// advisory lock), so concurrent requests cannot slip past the counts. `client` is a small pool
/// of the throttle's own: an attempt waiting for its address's lock holds one of those, never a
/// connection that introspection or rate-limit leases need. A refusal is also remembered in
/// memory until its `Retry-After` (`RefusalMemory`): a flood from a refused address then costs
/// no transaction at all, which is what keeps introspection at its usual latency under one.
struct SignInThrottle: Service {
    static let failureWindowSeconds = 15 * 60
    static let attemptWindowSeconds = 60
    /// The advisory lock space of sign-in admissions (the revocation log uses 7262017).
    static let lockSpace: Int32 = 7_262_018

    enum Admission: Equatable {
        /// Check the password, then report the outcome for this attempt.
        case admitted(attempt: Int64)
        /// 429 with this `Retry-After`, in seconds.
        case refused(retryAfter: Int)
    }

    let client: PostgresClient
    /// Failures for one email from one address that end further attempts for 15 minutes
    /// (`SIGN_IN_FAILURES_PER_EMAIL`, 5), and attempts a minute from one address
    /// (`SIGN_IN_ATTEMPTS_PER_MINUTE`, 30): the documented values unless an operator says otherwise.
    let failuresPerEmail: Int
    let attemptsPerAddress: Int
    let logger: Logger
    /// Refusals the ledger gave, until they end.
    let refusals = RefusalMemory()

    /// The digest an email is counted under: SHA-256 of its fold, the one accounts are found by.
    static func digest(email: String) -> Data {
        Data(SHA256.hash(data: Data(EmailAddress.fold(email).utf8)))
    }

    /// Admits an attempt (recording it as failed until `succeeded`) or says how long to wait.
    func admit(address: String, email: String) async throws -> Admission {
        let emailDigest = Self.digest(email: email)
        let addressKey = "a " + address
        let emailKey = "e " + address + " " + emailDigest.base64EncodedString()
        if let seconds = refusals.remaining(addressKey) ?? refusals.remaining(emailKey) { return .refused(retryAfter: seconds) }
        let admission = try await admitCounted(address: address, emailDigest: emailDigest)
        if case .refused(let seconds, let perAddress) = admission {
            refusals.remember(perAddress ? addressKey : emailKey, for: seconds)
        }
        return admission.public
    }

    /// What the ledger says, and which count refused.
    private enum Counted {
        case admitted(attempt: Int64)
        case refused(retryAfter: Int, perAddress: Bool)

        var `public`: Admission {
            switch self {
            case .admitted(let attempt): .admitted(attempt: attempt)
            case .refused(let seconds, _): .refused(retryAfter: seconds)
            }
        }
    }

    private func admitCounted(address: String, emailDigest: Data) async throws -> Counted {
        try await client.transaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockSpace), hashtext(\(address)))", logger: logger)
            // The attempt whose leaving the window would bring the count under its limit.
            let perAddress = try await connection.query(
                """
                SELECT ceil(extract(epoch FROM attempted_at + make_interval(secs => \(Self.attemptWindowSeconds)) - clock_timestamp()))::int
                FROM sign_in_attempts
                WHERE client_address = \(address) AND attempted_at > clock_timestamp() - make_interval(secs => \(Self.attemptWindowSeconds))
                ORDER BY attempted_at DESC OFFSET \(attemptsPerAddress - 1) LIMIT 1
                """,
                logger: logger
            )
            for try await seconds in perAddress.decode(Int.self) { return .refused(retryAfter: max(1, seconds), perAddress: true) }
            let perEmail = try await connection.query(
                """
                SELECT ceil(extract(epoch FROM attempted_at + make_interval(secs => \(Self.failureWindowSeconds)) - clock_timestamp()))::int
                FROM sign_in_attempts
                WHERE client_address = \(address) AND email_digest = \(emailDigest) AND failed
                  AND attempted_at > clock_timestamp() - make_interval(secs => \(Self.failureWindowSeconds))
                ORDER BY attempted_at DESC OFFSET \(failuresPerEmail - 1) LIMIT 1
                """,
                logger: logger
            )
            for try await seconds in perEmail.decode(Int.self) { return .refused(retryAfter: max(1, seconds), perAddress: false) }
            let inserted = try await connection.query(
                "INSERT INTO sign_in_attempts (client_address, email_digest) VALUES (\(address), \(emailDigest)) RETURNING id",
                logger: logger
            )
            var attempt: Int64 = 0
            for try await id in inserted.decode(Int64.self) { attempt = id }
            return .admitted(attempt: attempt)
        }
    }

    /// Records that an admitted attempt's password was right: it and the earlier failures for
    /// the same email from the same address no longer count.
    func succeeded(attempt: Int64, address: String, email: String) async throws {
        try await client.query(
            """
            UPDATE sign_in_attempts SET failed = false
            WHERE id = \(attempt) OR (client_address = \(address) AND email_digest = \(Self.digest(email: email)) AND failed)
            """,
            logger: logger
        )
    }

    /// Deletes attempts that no longer count, once a minute, until shutdown.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await client.query(
                        "DELETE FROM sign_in_attempts WHERE attempted_at < clock_timestamp() - make_interval(secs => \(Self.failureWindowSeconds))",
                        logger: logger
                    )
                } catch {
                    logger.debug("sign-in attempts not pruned", metadata: ["error": "\(String(describing: error))"])
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }
}

/// Refusals of the sign-in throttle, kept in memory until their `Retry-After`: while one lasts,
/// the ledger would refuse again (its counts only grow until the window moves on), so asking it
/// is skipped. Bounded: past `capacity` entries the ended ones go, and if none has, all of them
/// (the ledger still refuses what it must; only the shortcut is lost).
final class RefusalMemory: Sendable {
    static let capacity = 100_000
    private let until = Mutex<[String: ContinuousClock.Instant]>([:])

    /// Seconds left of a refusal of `key` (at least 1), or nil when there is none.
    func remaining(_ key: String) -> Int? {
        let now = ContinuousClock.now
        guard let end = until.withLock({ $0[key] }), end > now else { return nil }
        let (seconds, attoseconds) = (end - now).components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// Remembers that `key` is refused for `seconds`.
    func remember(_ key: String, for seconds: Int) {
        let now = ContinuousClock.now
        until.withLock { until in
            if until.count >= Self.capacity {
                until = until.filter { $0.value > now }
                if until.count >= Self.capacity { until.removeAll() }
            }
            until[key] = now + .seconds(seconds)
        }
    }
}
