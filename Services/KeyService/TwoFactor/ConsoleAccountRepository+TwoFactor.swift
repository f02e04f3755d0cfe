import Foundation
import Logging
import PostgresNIO
import Shared

extension ConsoleAccountRepository {
    /// How long the second step of a sign-in may wait, and how many wrong codes end it.
    static let challengeLifetimeSeconds = 300
    static let challengeAttempts = 5

    /// Keeps an enrolment's secret (sealed) until it is confirmed; false when two-factor is already on.
    func startEnrolment(of member: ConsoleUser, sealedSecret: Data) async throws -> Bool {
        try await !client.query(
            "UPDATE console_users SET totp_pending = \(sealedSecret) WHERE id = \(member.id) AND totp_secret IS NULL RETURNING id",
            logger: logger
        ).collect().isEmpty
    }

    /// The sealed secrets of a member: the enrolment in progress and the confirmed one, and the
    /// newest step a code was accepted for.
    func totpSecrets(userId: UUID) async throws -> (pending: Data?, confirmed: Data?, lastStep: Int64)? {
        let rows = try await client.query(
            "SELECT totp_pending, totp_secret, totp_last_step FROM console_users WHERE id = \(userId) AND removed_at IS NULL", logger: logger)
        for try await (pending, confirmed, lastStep) in rows.decode((Data?, Data?, Int64).self) { return (pending, confirmed, lastStep) }
        return nil
    }

    /// Turns two-factor on with the enrolment's secret (if it is still `sealedSecret`), the
    /// step of the code that confirmed it, and new recovery codes (their digests); with
    /// `two_factor.enabled`. False when the enrolment changed meanwhile.
    func confirmEnrolment(of member: ConsoleUser, sealedSecret: Data, step: Int64, recoveryDigests: [Data]) async throws -> Bool {
        try await client.transaction(logger: logger) { connection in
            let updated = try await connection.query(
                """
                UPDATE console_users SET totp_secret = totp_pending, totp_pending = NULL, two_factor_enabled_at = now(), totp_last_step = \(step)
                WHERE id = \(member.id) AND totp_pending = \(sealedSecret) AND totp_secret IS NULL RETURNING id
                """,
                logger: logger
            ).collect()
            guard !updated.isEmpty else { return false }
            try await Self.replaceRecoveryCodes(connection, userId: member.id, digests: recoveryDigests, logger: logger)
            try await AuditTrail.record(
                connection, organizationId: member.organizationId, actor: member.id, action: "two_factor.enabled", subject: member.id, details: [:],
                logger: logger)
            return true
        }
    }

    static func replaceRecoveryCodes(_ connection: PostgresConnection, userId: UUID, digests: [Data], logger: Logger) async throws {
        try await connection.query("DELETE FROM console_recovery_codes WHERE user_id = \(userId)", logger: logger)
        let hex = digests.map { $0.map { String(format: "%02x", $0) }.joined() }
        try await connection.query(
            "INSERT INTO console_recovery_codes (digest, user_id) SELECT decode(d, 'hex'), \(userId) FROM unnest(\(hex)::text[]) AS d", logger: logger
        )
    }

    /// Turns two-factor off: the secret and recovery codes go; with `two_factor.disabled`.
    func disableTwoFactor(of member: ConsoleUser) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.query(
                "UPDATE console_users SET totp_secret = NULL, totp_pending = NULL, two_factor_enabled_at = NULL WHERE id = \(member.id)",
                logger: logger)
            try await connection.query("DELETE FROM console_recovery_codes WHERE user_id = \(member.id)", logger: logger)
            try await AuditTrail.record(
                connection, organizationId: member.organizationId, actor: member.id, action: "two_factor.disabled", subject: member.id,
                details: [:], logger: logger)
        }
    }

    /// Takes `step` as the newest accepted: false when it or a later one was accepted already,
    /// so that one code works once, even raced.
    func acceptStep(_ step: Int64, userId: UUID) async throws -> Bool {
        try await !client.query(
            "UPDATE console_users SET totp_last_step = \(step) WHERE id = \(userId) AND totp_last_step < \(step) RETURNING id", logger: logger
        ).collect().isEmpty
    }

    /// Uses up a recovery code: false when it is not the member's or was used already.
    func useRecoveryCode(digest: Data, userId: UUID) async throws -> Bool {
        try await !client.query(
            """
            UPDATE console_recovery_codes SET used_at = now() WHERE digest = \(digest) AND user_id = \(userId) AND used_at IS NULL RETURNING user_id
            """,
            logger: logger
        ).collect().isEmpty
    }

    /// Recovery codes the member has left.
    func unusedRecoveryCodes(userId: UUID) async throws -> Int {
        try await client.query(
            "SELECT count(*) FROM console_recovery_codes WHERE user_id = \(userId) AND used_at IS NULL", logger: logger
        ).collect().first?.decode(Int.self) ?? 0
    }

    /// Starts the second step of a sign-in whose password was right.
    func createChallenge(tokenDigest: Data, userId: UUID, address: String, userAgent: String?) async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.query("DELETE FROM console_sign_in_challenges WHERE expires_at < now()", logger: logger)
            try await connection.query(
                """
                INSERT INTO console_sign_in_challenges (token_digest, user_id, client_address, user_agent, expires_at)
                VALUES (\(tokenDigest), \(userId), \(address), \(userAgent), now() + make_interval(secs => \(Self.challengeLifetimeSeconds)))
                """,
                logger: logger
            )
        }
    }

    /// Spends one of a live challenge's five tries before its code is checked, so that no race
    /// can try a sixth; the person it is for, or nil when it is unknown, expired or spent.
    func spendChallengeTry(tokenDigest: Data) async throws -> UUID? {
        let rows = try await client.query(
            """
            UPDATE console_sign_in_challenges SET failures = failures + 1
            WHERE token_digest = \(tokenDigest) AND expires_at > now() AND failures < \(Self.challengeAttempts)
            RETURNING user_id
            """,
            logger: logger
        )
        for try await userId in rows.decode(UUID.self) { return userId }
        return nil
    }

    /// Ends a challenge: true for the one request that ended it.
    func endChallenge(tokenDigest: Data) async throws -> Bool {
        try await !client.query(
            "DELETE FROM console_sign_in_challenges WHERE token_digest = \(tokenDigest) RETURNING user_id", logger: logger
        ).collect().isEmpty
    }
}
