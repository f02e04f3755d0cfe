import Foundation
import HTTPTypes
import Shared

/// The headers of a router-level test's API request: JSON, the key as bearer token, and on
/// every `POST` a new `Idempotency-Key`, so that each test of a `POST` also runs it in the one
/// transaction of an idempotent request (docs/api-guide.md, "Safe retries"). Requests without
/// one are what the system tests, the generated client and schemathesis send.
public func apiHeaders(_ method: HTTPRequest.Method, key: String?) -> HTTPFields {
    var headers: HTTPFields = [.contentType: "application/json"]
    if let key { headers[.authorization] = "Bearer \(key)" }
    if method == .post { headers[.idempotencyKey] = "test-\(UUID().uuidString)" }
    return headers
}
