import Foundation
import Hummingbird
import Shared

/// When a failed message is tried again, and when an endpoint that keeps failing is disabled
/// (docs/design/webhooks.md, "Retries"): after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, each
/// ±20 %, then the message is FAILED; an endpoint whose every attempt failed for 5 days is
/// disabled. `WEBHOOK_RETRY_SCHEDULE` (`5s,5m,30m,2h,5h,10h,10h`) and `WEBHOOK_DISABLE_AFTER`
/// (`5d`) change them.
struct DeliverySchedule: Sendable, Equatable {
    /// The waits before each retry, in seconds.
    var retries: [Double]
    /// Seconds of failing attempts after which an endpoint is disabled.
    var disableAfter: Double
    /// The jitter on each wait, as a fraction of it.
    static let jitter = 0.2

    static let standard = DeliverySchedule(retries: [5, 300, 1800, 7200, 18000, 36000, 36000], disableAfter: 5 * 86400)

    init(retries: [Double], disableAfter: Double) {
        self.retries = retries
        self.disableAfter = disableAfter
    }

    init(environment: Environment) throws {
        var schedule = Self.standard
        if let text = environment.get("WEBHOOK_RETRY_SCHEDULE"), !text.isEmpty {
            let waits = text.split(separator: ",", omittingEmptySubsequences: false).map { Self.seconds(String($0)) }
            guard waits.count <= 20, !waits.contains(nil) else {
                throw ConfigurationError("WEBHOOK_RETRY_SCHEDULE must be a comma-separated list of at most 20 durations such as 5s,5m,2h,1d")
            }
            schedule.retries = waits.compactMap { $0 }
        }
        if let text = environment.get("WEBHOOK_DISABLE_AFTER"), !text.isEmpty {
            guard let seconds = Self.seconds(text) else { throw ConfigurationError("WEBHOOK_DISABLE_AFTER must be a duration such as 5d or 12h") }
            schedule.disableAfter = seconds
        }
        self = schedule
    }

    /// `90`, `90s`, `5m`, `2h` or `5d` (a decimal number allowed) in seconds, or nil.
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let unit = trimmed.last.flatMap { units[$0] }
        guard let number = Double(unit == nil ? trimmed : String(trimmed.dropLast())), number.isFinite, number >= 0, number <= 30 * 86400
        else { return nil }
        return number * (unit ?? 1)
    }

    /// The wait before retry number `step` (0 is the first), with jitter, or nil when the schedule is used up.
    func wait(beforeRetry step: Int, random: Double = Double.random(in: -1...1)) -> Double? {
        guard step >= 0, step < retries.count else { return nil }
        return retries[step] * (1 + Self.jitter * random)
    }

    /// The seconds a `Retry-After` header asks for (delay-seconds or an HTTP date), or nil.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return Double(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
