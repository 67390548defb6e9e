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
    /// The wait the header asks for; nil when absent or unreadable. A date in the past is zero.
    public static func parse(_ value: String?, now: Double) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value), seconds >= 0 { return .seconds(seconds) }
        guard let date = HTTPDate.parse(value) else { return nil }
        return .seconds(max(0, date - now))
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP requires senders to use.
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds, or nil.
    static func parse(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]),
              let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        let days = ZohoModel.CivilDate(year: year, month: month + 1, day: day).dayNumber
        return Double(days * 86_400 + time[0] * 3_600 + time[1] * 60 + time[2])
    }
}
