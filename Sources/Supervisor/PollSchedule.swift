import Foundation

/// When an org's loop looks at Zoho next: pure, so the rules are tested as a table.
public enum PollSchedule {
    /// While a backup runs, links are pending or a request is unconfirmed, look this often (at most).
    public static let busyInterval: Duration = .seconds(60)
    /// The first retry after an error; it doubles with each further error.
    public static let firstBackoff: Duration = .seconds(30)
    /// Errors never push the next look further than this (or the poll interval, if longer).
    public static let maximumBackoff: Duration = .seconds(3600)

    /// The delay before the next cycle.
    ///
    /// - Parameters:
    ///   - pollInterval: the org's `poll_interval`.
    ///   - busy: a job is in progress, links are waiting, or a request is unconfirmed.
    ///   - consecutiveFailures: failed cycles in a row (0 after a good one).
    ///   - jitter: a number in [-1, 1] (0 turns jitter off); moves the delay by up to ±10 %.
    public static func delay(pollInterval: Duration, busy: Bool, consecutiveFailures: Int, jitter: Double) -> Duration {
        var base = busy ? min(pollInterval, busyInterval) : pollInterval
        if consecutiveFailures > 0 {
            let exponent = min(consecutiveFailures - 1, 20)
            let backoff = firstBackoff * (1 << exponent)
            base = min(backoff, max(maximumBackoff, pollInterval))
        }
        let clamped = max(-1, min(1, jitter))
        return base + base * (0.1 * clamped)
    }
}
