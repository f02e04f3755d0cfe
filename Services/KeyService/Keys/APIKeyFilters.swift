import Foundation
import Hummingbird
import Shared

/// The list filters of `GET /console/api/keys` (docs/api-guide.md, "Rotating a key"): `status` and a `search` by name.
struct APIKeyFilters: Sendable, Equatable {
    /// ACTIVE includes expiring keys: both still work.
    var status: APIKeyStatus?
    /// A part of the name, matched case-insensitively.
    var search: String?

    init(status: APIKeyStatus? = nil, search: String? = nil) {
        self.status = status
        self.search = search
    }

    /// Reads `status` and `search` from the query; an unknown status is 400.
    init(from request: Request) throws {
        status = try request.enumFilter("status", as: APIKeyStatus.self)
        search = try request.textFilter("search")
    }

    /// `search` as a LIKE pattern, its own `%`, `_` and `\\` taken literally.
    var searchPattern: String? {
        search.map {
            "%"
                + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
                    of: "_", with: "\\_") + "%"
        }
    }
}
