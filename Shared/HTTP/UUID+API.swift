import Foundation

extension UUID {
    /// The id as the API writes it: lower case, as RFC 4122 §3 recommends (Foundation's
    /// `uuidString` is upper case).
    public var apiString: String {
        uuidString.lowercased()
    }
}
