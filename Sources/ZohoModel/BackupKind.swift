/// What made a backup: an occurrence of a recurring schedule, or a one-off request (`now`,
/// Zoho's web UI). Recorded in the manifest (`"kind"`) with the schedule's rule.
public enum BackupKind: String, Codable, Sendable, Hashable {
    case recurring
    case oneOff = "one-off"

    /// The kind of the job Zoho shows: a job with a rule is a schedule's.
    public init(rrule: String?) { self = rrule == nil ? .oneOff : .recurring }
}
