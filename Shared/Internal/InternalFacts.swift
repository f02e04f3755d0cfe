import Foundation
import Hummingbird

/// Asks another service's `GET /internal/facts` what it knows of ids of one organization (does
/// this job exist, is this agent ours), so that no service reads another's tables and every id a
/// request body names is checked to be the caller's. Any failure is 503: an answer that did not
/// come is never taken as a "no", and nothing is stored with an id that was not checked.
public struct InternalFacts: Sendable {
    let client: InternalServiceClient
    /// The service asked, for the 503's message ("The catalog cannot be reached…").
    let service: String

    public init(client: InternalServiceClient, service: String) {
        self.client = client
        self.service = service
    }

    /// The answer about `ids` (by query parameter name; nil ones are not asked about).
    public func ask<Answer: Decodable>(_ answer: Answer.Type, organizationId: UUID, ids: KeyValuePairs<String, UUID?>, requestId: String) async throws
        -> Answer
    {
        var query = "organizationId=\(organizationId.apiString)"
        for case (let name, let id?) in ids { query += "&\(name)=\(id.apiString)" }
        do {
            let data = try await client.send(.get, "/internal/facts?" + query, requestId: requestId)
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw APIError.unavailable("The \(service) cannot be reached to check this request; retry shortly", retryAfter: 2)
        }
    }
}

extension RouterGroup where Context == InternalRequestContext {
    /// `GET facts?organizationId=…&<name>=<id>…`, the answering side of `InternalFacts`: 400 without
    /// an organization, else `answer` for it (each service says which ids it answers about).
    public func facts<Answer: ResponseGenerator>(_ answer: @escaping @Sendable (_ organizationId: UUID, _ request: Request) async throws -> Answer) {
        get("facts") { request, _ in
            guard let organizationId = try request.uuidFilter("organizationId") else {
                throw APIError.invalidField("organizationId", "is required")
            }
            return try await answer(organizationId, request)
        }
    }
}
