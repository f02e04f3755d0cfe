import Foundation
import Shared

/// Storage of API keys and their audit trail, always within one organization.
protocol APIKeyRepository: Sendable {
    /// Stores a new key's digest and records `api_key.created`; returns the record.
    func create(token: APIKeyToken, organizationId: UUID, name: String, scopes: [Scope], actor: ConsoleUser) async throws -> APIKeyRecord
    /// One page of the organization's keys that pass `filters`, usable ones (active and
    /// expiring) first, newest first within each, and their total count.
    func list(organizationId: UUID, filters: APIKeyFilters, page: PageRequest) async throws -> ([APIKeyRecord], Int)
    /// The organization's key `id`, if it has one.
    func find(id: UUID, organizationId: UUID) async throws -> APIKeyRecord?
    /// Revokes the key once (later calls change nothing); nil if the organization has no such key.
    func revoke(id: UUID, organizationId: UUID, actor: ConsoleUser) async throws -> APIKeyRecord?
    /// Rolls the key: a successor `token` with the same name and scopes, the old key expiring
    /// `expiresIn` from now; records `key.rolled`. Nil if the organization has no such key;
    /// throws 409 `KEY_NOT_ROLLABLE` for a revoked, expired or already rolled one.
    func roll(id: UUID, organizationId: UUID, expiresIn: Duration, token: APIKeyToken, actor: ConsoleUser) async throws -> (old: APIKeyRecord, new: APIKeyRecord)?
    /// Revokes every active or expiring key of the organization at once (incident response),
    /// recording `api_key.revoked` for each; returns how many.
    func revokeAll(organizationId: UUID, actor: ConsoleUser) async throws -> Int
    /// Revokes the key with this digest as leaked, if it could still be used (true) and records
    /// `key.leaked` with the reporter and the URL; false for an unknown, revoked or expired key.
    func revokeLeaked(digest: Data, url: String?, reporter: String) async throws -> Bool
    /// The answer already given to the report whose body has this digest.
    func leakReportAnswer(bodyDigest: Data) async throws -> String?
    /// Keeps the answer given to a report, for its repeats.
    func recordLeakReport(bodyDigest: Data, reporter: String, answer: String) async throws
    /// Records `key.expired` once for every rolled key whose expiry has passed; returns how many.
    func recordExpiries() async throws -> Int
    /// Renames the key and records `api_key.renamed`; nil if the organization has no such key.
    func rename(id: UUID, organizationId: UUID, name: String, actor: ConsoleUser) async throws -> APIKeyRecord?
    /// The active key with this SHA-256 digest: not revoked, and not past its expiry.
    func findActive(digest: Data) async throws -> ActiveKey?
    /// Writes the last-use times gathered since the previous call, in one statement.
    func recordUsage(_ usage: [UUID: Date]) async throws
    /// Log entries after `sequence`, in order (at most `limit`), and the newest sequence of all.
    func revocations(after sequence: Int64, limit: Int) async throws -> (events: [RevocationPage.Event], latest: Int64)
    /// Calls `newest` with each revocation's sequence as its transaction commits, by whichever
    /// replica; returns only when the subscription breaks (throwing) or the task is cancelled.
    func followRevocations(_ newest: @Sendable (Int64) -> Void) async throws
    /// One page of the organization's audit trail, newest first, and its total count.
    func auditEvents(organizationId: UUID, page: PageRequest) async throws -> ([AuditEvent], Int)
}
