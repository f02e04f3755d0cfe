import Foundation

/// Dates as clients send them: an ISO-8601 date-time (`2026-03-01T09:00:00Z`, fractions allowed)
/// or a plain date (`2026-03-01`, taken as midnight UTC).
public enum ISODate {
    /// The date `text` names, or nil.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()) { return date }
        return nil
    }

    /// `2026-03-01`: the day of `date` in UTC, for fields that are days, not instants.
    public static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }
}

extension FieldValidator {
    /// A date field, when present; a 400 naming it when it is not a date.
    /// Blank is nil (it clears the field) unless `blankAllowed` is false, where it is a 400 too.
    public mutating func date(_ value: String?, _ field: String, blankAllowed: Bool = true) -> Date? {
        guard let value else { return nil }
        if WhiteSpace.trimmed(value).isEmpty {
            if !blankAllowed { fail(field, "must be an ISO-8601 date or date-time") }
            return nil
        }
        guard value.count <= 40, let date = ISODate.parse(value) else {
            fail(field, "must be an ISO-8601 date or date-time")
            return nil
        }
        return date
    }
}
