import Shared

/// An error body in the API's error shape, `{"error": {"code", "message", "details"}}`, as a client reads it.
public struct ContractError: Decodable, Sendable {
    public struct Object: Decodable, Sendable {
        public let code: String
        public let message: String
        public let details: [APIError.Detail]?
        public let requiredScope: String?
        public let requiredRole: String?
    }

    public let error: Object
}
