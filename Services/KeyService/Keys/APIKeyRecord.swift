import Foundation
import Hummingbird
import Shared

/// An API key as stored: never its plaintext, only what the console shows.
struct APIKeyRecord: Sendable, Equatable {
    let id: UUID
    let organizationId: UUID
    var name: String
    let prefix: String
    let scopes: [String]
    let createdAt: Date
    /// Email of the console user who created it.
    let createdBy: String?
    var lastUsedAt: Date?
    var revokedAt: Date?
    /// Set when the key was rolled: it stops working then.
    var expiresAt: Date?
    /// The successor of a rolled key, and the predecessor of a successor.
    var rolledTo: UUID?
    var rolledFrom: UUID?
    /// Why it was revoked: REVOKED (one key), LEAKED (a secret scanner's report), REVOKED_ALL.
    var revocationReason: String?
    /// Where a leaked key was found, as the report said.
    var leakURL: String?

    /// Where the key stands at `now` (docs/api-guide.md, "Rotating a key").
    func status(at now: Date = Date()) -> APIKeyStatus {
        if revokedAt != nil { return .REVOKED }
        guard let expiresAt else { return .ACTIVE }
        return expiresAt > now ? .EXPIRING : .EXPIRED
    }
}

/// A key's status in listings: a rolled key is EXPIRING until its expiry, then EXPIRED.
enum APIKeyStatus: String, CaseIterable, Sendable {
    case ACTIVE, EXPIRING, EXPIRED, REVOKED
}

/// A key as the console API shows it; `key` is set only in the response that creates it.
struct APIKeyView: ResponseEncodable, Sendable {
    let record: APIKeyRecord
    let key: String?

    init(_ record: APIKeyRecord, key: String? = nil) {
        self.record = record
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case id, name, prefix, scopes, createdAt, createdBy, lastUsedAt, revokedAt, expiresAt, rolledTo, rolledFrom, status, key
        case revocationReason, leakUrl
    }

    /// Writes the optional fields as explicit nulls, so clients see every field.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id.apiString, forKey: .id)
        try container.encode(record.name, forKey: .name)
        try container.encode(record.prefix, forKey: .prefix)
        try container.encode(record.scopes, forKey: .scopes)
        try container.encode(record.createdAt, forKey: .createdAt)
        try container.encode(record.createdBy, forKey: .createdBy)
        try container.encode(record.lastUsedAt, forKey: .lastUsedAt)
        try container.encode(record.revokedAt, forKey: .revokedAt)
        try container.encode(record.expiresAt, forKey: .expiresAt)
        try container.encode(record.rolledTo?.apiString, forKey: .rolledTo)
        try container.encode(record.rolledFrom?.apiString, forKey: .rolledFrom)
        try container.encode(record.status().rawValue, forKey: .status)
        try container.encode(record.revocationReason, forKey: .revocationReason)
        try container.encode(record.leakURL, forKey: .leakUrl)
        try container.encodeIfPresent(key, forKey: .key)
    }
}

/// What introspection needs of an active key.
struct ActiveKey: Sendable {
    let id: UUID
    let organizationId: UUID
    let scopes: [String]
    let createdAt: Date
    /// When a rolled key stops working; nil for a key that does not expire.
    let expiresAt: Date?
    /// The limits of its organization's plan.
    let rateLimits: RateLimits
}
