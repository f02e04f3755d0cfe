import Foundation
import HummingbirdTesting

/// The JSON object of a response (empty when it is not one).
public func json(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
}

/// The `data` array of a list response.
public func items(_ response: TestResponse) -> [[String: Any]] {
    json(response)["data"] as? [[String: Any]] ?? []
}

/// The error object of a response in the API's error shape.
public func apiError(_ response: TestResponse) -> ContractError.Object? {
    try? JSONDecoder().decode(ContractError.self, from: Data(response.body.readableBytesView)).error
}
