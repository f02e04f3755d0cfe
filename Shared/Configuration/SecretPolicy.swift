import Hummingbird

/// What a secret setting must be: long enough to resist guessing and not a value copied from an
/// example file. Services check every secret at start and refuse to run otherwise.
public enum SecretPolicy {
    /// The shortest secret accepted: 32 characters (`scripts/make-env` writes 48 hex digits).
    public static let minimumLength = 32

    /// Fragments that only placeholders contain, compared without case.
    static let placeholderMarks = ["change-me", "changeme", "change_me", "replace", "placeholder", "example", "your-secret", "xxxxxxxx"]

    /// Why `value` is not acceptable as a secret, or nil when it is.
    public static func problem(with value: String) -> String? {
        if let mark = placeholderMark(in: value) {
            return "is a placeholder (it contains \"\(mark)\"): generate real secrets with scripts/make-env"
        }
        if value.count < minimumLength {
            return "is \(value.count) characters long; secrets need at least \(minimumLength) (scripts/make-env writes them)"
        }
        if Set(value).count < 8 {
            return "has fewer than 8 distinct characters: it is not random"
        }
        return nil
    }

    /// The placeholder fragment `value` contains, if any.
    public static func placeholderMark(in value: String) -> String? {
        let lowered = value.lowercased()
        return placeholderMarks.first(where: { lowered.contains($0) })
    }

    /// Throws a `ConfigurationError` naming `variable` when `value` is not acceptable.
    public static func check(_ value: String, variable: String) throws {
        if let problem = problem(with: value) {
            throw ConfigurationError("\(variable) \(problem)")
        }
    }
}

extension Environment {
    /// Reads a required secret setting, refusing a missing, placeholder or short value with a
    /// message naming the variable and saying what it is for.
    public func secret(_ name: String, purpose: String) throws -> String {
        guard let value = self.get(name), !value.isEmpty else {
            throw ConfigurationError("\(name) must be set: \(purpose)")
        }
        try SecretPolicy.check(value, variable: name)
        return value
    }
}
