import Foundation

/// Whether an org's newest verified backup is recent enough: the daemon's promise.
public enum Freshness: Equatable, Sendable {
    /// The org has no `alert.max_age` (`none`/`unmanaged` without one).
    case unlimited
    /// The newest backup is younger than the limit.
    case fresh(age: Duration, limit: Duration)
    /// The newest backup is older than the limit: raise the alarm.
    case stale(age: Duration, limit: Duration)
    /// No backup yet, but the daemon has watched for less than the limit.
    case awaitingFirst(watched: Duration, limit: Duration)
    /// No backup at all, and the daemon has watched for longer than the limit: raise the alarm.
    case missing(watched: Duration, limit: Duration)

    /// True when the admin must be told (at `crit`, in `STATUS=`, in `status`, in a metric).
    public var isAlarm: Bool {
        switch self {
        case .stale, .missing: true
        case .unlimited, .fresh, .awaitingFirst: false
        }
    }

    /// Decides freshness; pure, time is an argument.
    ///
    /// - Parameters:
    ///   - newestBackup: completion time of the newest verified backup in the archive, if any.
    ///   - watchingSince: when the daemon first managed this org (kept in its state), so a new
    ///     org is not in alarm before it could have had a backup.
    ///   - maxAge: the org's `alert.max_age`.
    public static func evaluate(newestBackup: Date?, watchingSince: Date, maxAge: Duration?, now: Date) -> Freshness {
        guard let limit = maxAge else { return .unlimited }
        guard let newest = newestBackup else {
            let watched = Duration.seconds(max(0, now.timeIntervalSince(watchingSince)))
            return watched > limit ? .missing(watched: watched, limit: limit) : .awaitingFirst(watched: watched, limit: limit)
        }
        let age = Duration.seconds(max(0, now.timeIntervalSince(newest)))
        return age > limit ? .stale(age: age, limit: limit) : .fresh(age: age, limit: limit)
    }
}
