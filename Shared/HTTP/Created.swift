import HTTPTypes
import Hummingbird

/// 201 Created with the resource and its `Location` (docs/api-guide.md, "Conventions").
public func created<Body: ResponseGenerator>(_ body: Body, at location: String) -> EditedResponse<Body> {
    EditedResponse(status: .created, headers: [.location: location], response: body)
}
