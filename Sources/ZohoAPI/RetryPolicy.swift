import Foundation
import ZohoModel

/// When to try a request again, and after how long. Pure: the caller supplies the attempt
/// number and a random source; waits happen on the caller's injected clock.
public struct RetryPolicy: Sendable {
    /// The first backoff; doubled each attempt.
    public var base: Duration = .seconds(1)
    /// No wait is longer than this (a `Retry-After` included).
    public var cap: Duration = .seconds(300)
    /// Attempts in total, the first included.
    public var maxAttempts = 5

    /// Makes a policy; the defaults (1 s doubling up to 5 min, 5 attempts) are the daemon's.
    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300), maxAttempts: Int = 5) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
    }

    /// The outcome of one attempt, as far as retrying cares.
    public enum Outcome: Sendable, Equatable {
        /// Zoho answered with this status (and perhaps `Retry-After`).
        case status(Int, retryAfter: Duration?)
        /// The connection failed before the request was sent (refused, DNS, connect timeout).
        case notSent
        /// The connection failed after the request may have been sent (reset, read timeout).
        case lostAfterSending
    }

    /// What to do next.
    public enum Decision: Sendable, Equatable {
        /// Try again after this wait.
        case retry(after: Duration)
        /// Give up: the error stands.
        case fail
        /// A POST whose effect is unknown: never repeat it; observe Zoho first.
        case ambiguous
    }

    /// Decides for attempt number `attempt` (1 for the first) of a request.
    ///
    /// - Parameters:
    ///   - isPost: a POST (scheduling a backup) is retried only when Zoho certainly did not
    ///     act on it — a 429, or a connection that failed before sending. A 5xx or a lost
    ///     connection leaves it ambiguous: the backup may have been scheduled, and a second
    ///     POST would spend the org's monthly quota twice.
    ///   - jitter: a number in 0..<1 (injected, so tests are deterministic); the wait is
    ///     spread over its upper half to avoid a thundering herd.
    public func decide(_ outcome: Outcome, attempt: Int, isPost: Bool, jitter: Double) -> Decision {
        let retryable: Bool
        var requested: Duration?
        switch outcome {
        case .status(429, let retryAfter):
            retryable = true
            requested = retryAfter
        case .status(500...599, _):
            if isPost { return .ambiguous }
            retryable = true
        case .status:
            return .fail
        case .notSent:
            retryable = true
        case .lostAfterSending:
            if isPost { return .ambiguous }
            retryable = true
        }
        guard retryable, attempt < maxAttempts else { return .fail }
        if let requested { return .retry(after: min(max(requested, .zero), cap)) }
        return .retry(after: backoff(attempt: attempt, jitter: jitter))
    }

    /// `base × 2^(attempt-1)`, capped, scaled into its upper half by `jitter`.
    public func backoff(attempt: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let full = min(base * (1 << exponent), cap)
        let j = min(max(jitter, 0), 1)
        return full * (0.5 + 0.5 * j)
    }
}

/// `Retry-After`: delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The longest wait a server may ask for; a longer one is ignored (and logged by the caller):
    /// obeying "come back in a year" would stop an org's backups on one answer.
    public static let longest: Duration = .seconds(86_400)

    /// What a `Retry-After` header says.
    public enum Reading: Sendable, Equatable {
        /// No header, or one that is not a number of seconds or an HTTP-date.
        case absent
        /// Wait this long (a date in the past is zero).
        case wait(Duration)
        /// Further away than ``longest``: the header as sent, to log.
        case ignored(String)
    }

    /// Reads the header against `now` (Unix seconds). Every number is bounded: a year, a day or
    /// a count of seconds too large for 64 bits is unreadable, never a trap.
    public static func read(_ value: String?, now: Double) -> Reading {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return .absent }
        let seconds: Double
        if let n = Int64(value), n >= 0 {
            seconds = Double(n)
        } else if value.allSatisfy(\.isNumber) {
            return .ignored(value)  // digits only, beyond 64 bits
        } else if let date = HTTPDate.parse(value) {
            seconds = max(0, date - now)
        } else {
            return .absent
        }
        guard seconds <= Double(longest.components.seconds) else { return .ignored(value) }
        return .wait(.seconds(Int64(seconds.rounded(.up))))
    }

    /// The wait the header asks for; nil when absent, unreadable or more than ``longest`` away.
    public static func parse(_ value: String?, now: Double) -> Duration? {
        if case .wait(let wait) = read(value, now: now) { return wait }
        return nil
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP requires senders to use.
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds, or nil. Years outside 1970–9999 and out-of-range fields are unreadable.
    static func parse(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]), (1970...9999).contains(year) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2]) else { return nil }
        let days = ZohoModel.CivilDate(year: year, month: month + 1, day: day).dayNumber
        return Double(days * 86_400 + time[0] * 3_600 + time[1] * 60 + time[2])
    }
}
