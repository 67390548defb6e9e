/// What the policy asks of an org's Zoho schedule.
public enum BackupSchedule: Hashable, Sendable, CustomStringConvertible {
    /// Keep exactly this recurring schedule in Zoho.
    case rrule(RRule)
    /// Keep no recurring schedule: cancel one if Zoho has it (never a one-off backup).
    case none
    /// Never touch Zoho's schedule; still download every backup that completes.
    case unmanaged

    /// Parses `none`, `unmanaged` or an `RRULE:…` in Zoho's subset.
    public init(parsing text: String) throws(RRuleError) {
        switch text {
        case "none": self = .none
        case "unmanaged": self = .unmanaged
        default: self = .rrule(try RRule(parsing: text))
        }
    }

    public var description: String {
        switch self {
        case .rrule(let rule): rule.normalized
        case .none: "none"
        case .unmanaged: "unmanaged"
        }
    }

    /// The default freshness limit: the longest gap between backups plus two days
    /// (9d weekly, 16d biweekly, 33d monthly on a day ≤ 28); nil for `none`/`unmanaged`.
    public var defaultMaxAge: Duration? {
        guard case .rrule(let rule) = self else { return nil }
        return rule.longestGap + .seconds(2 * 86_400)
    }
}
