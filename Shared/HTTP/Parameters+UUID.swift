import Foundation
import Hummingbird

extension Parameters {
    /// The path parameter `name` as a UUID; anything else is a 400 naming it.
    public func uuid(_ name: String) throws -> UUID {
        guard let raw = self.get(name), let id = UUID(uuidString: raw) else {
            throw APIError.invalidField(name, "must be a UUID")
        }
        return id
    }
}
