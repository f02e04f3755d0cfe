import Crypto
import Foundation
import Hummingbird
import Shared

/// Finds the console user behind a request's session cookie.
struct ConsoleAuthenticator: Sendable {
    static let cookieName = "evalyo_session"

    let accounts: ConsoleAccountRepository

    /// The signed-in user, or 401 when the cookie is missing, unknown or expired.
    func user(for request: Request) async throws -> ConsoleUser {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty, token.utf8.count <= 128,
            let user = try await accounts.user(sessionDigest: Self.digest(token))
        else {
            throw APIError(.unauthorized, code: "UNAUTHORIZED", message: "Sign in to the console first (no session, or it has expired)")
        }
        return user
    }

    /// Sessions, like keys, are stored only as the SHA-256 of their token.
    static func digest(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// A new session token: 32 bytes from the CSPRNG, base64url without padding.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
