import HTTPTypes

/// Reads an API key from `Authorization: Bearer <key>` (RFC 6750 §2.1) and nowhere else.
public enum BearerCredentials {
    /// The outcome of reading the header.
    public enum Outcome: Sendable {
        /// No `Authorization` header, or another scheme: no token was presented.
        case missing
        /// A bearer token that is not a well-formed Evalyo key (length, alphabet, checksum).
        case malformed
        case token(APIKeyToken)
    }

    /// Parses the header strictly: scheme `Bearer` in any case, one or more spaces, one token.
    public static func read(_ headers: HTTPFields) -> Outcome {
        let values = headers[values: .authorization]
        guard values.count == 1, let header = values.first else {
            return values.isEmpty ? .missing : .malformed
        }
        guard header.utf8.count > 7, header.prefix(7).lowercased() == "bearer " else { return .missing }
        let token = header.dropFirst(7).drop(while: { $0 == " " })
        guard let parsed = APIKeyToken(parsing: token) else { return .malformed }
        return .token(parsed)
    }
}
