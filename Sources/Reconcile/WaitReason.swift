import Foundation
import ZohoModel

/// Why ``Reconcile`` does nothing now about Zoho's schedule: a type that `plan` and `status`
/// switch on, rendered to a sentence (``description``) only where it is shown or logged.
public enum WaitReason: Sendable, Equatable, CustomStringConvertible {
    /// A backup request may or may not have reached Zoho: observe again before any other.
    case unconfirmedRequest
    /// Zoho said `BACKUP_ALREADY_SCHEDULED`: observe again before any other request.
    case alreadyScheduled
    /// A one-off backup is pending in Zoho (never cancelled); `thenSchedule`: the policy's
    /// schedule is made once it completes (else it is only archived).
    case oneOffPending(jobID: String, status: BackupStatus, thenSchedule: Bool)
    /// Zoho runs an occurrence of its recurring schedule `rrule`: cancelled once it completes
    /// (`replaceWith` nil, schedule `none`), or replaced by `replaceWith`.
    case occurrenceRunning(rrule: String?, replaceWith: String?)
    /// This month's backups are used up (`LIMIT_EXCEEDED`): no request before `until`.
    case quotaUsedUp(until: Date, zone: TimeZone)
    /// Zoho's schedule `current` differs from `desired`, but cancelling it now would leave the
    /// org without one until `until` (the quota is used up).
    case quotaBlocksReplacement(current: String?, desired: String, until: Date, zone: TimeZone)

    /// A stable snake_case name, for JSON (`"wait": [{"reason": "quota_used_up", …}]`).
    public var code: String {
        switch self {
        case .unconfirmedRequest: "unconfirmed_request"
        case .alreadyScheduled: "already_scheduled"
        case .oneOffPending: "one_off_pending"
        case .occurrenceRunning: "occurrence_running"
        case .quotaUsedUp: "quota_used_up"
        case .quotaBlocksReplacement: "quota_blocks_replacement"
        }
    }

    /// When the wait ends by itself, if it has a date.
    public var until: Date? {
        switch self {
        case .quotaUsedUp(let until, _), .quotaBlocksReplacement(_, _, let until, _): until
        default: nil
        }
    }

    /// The job waited for, if one.
    public var jobID: String? {
        if case .oneOffPending(let id, _, _) = self { return id }
        return nil
    }

    /// The sentence `plan`, `status` and the journal show for the wait.
    public var description: String {
        switch self {
        case .unconfirmedRequest:
            "a backup request may or may not have reached Zoho; observing again before any other request"
        case .alreadyScheduled:
            "Zoho said a backup is already scheduled; observing again before any other request"
        case .oneOffPending(let id, let status, let thenSchedule):
            "a one-off backup (job \(id), \(status)) is pending in Zoho; it is never cancelled, and \(thenSchedule ? "the schedule is made" : "is archived") once it completes"
        case .occurrenceRunning(let rrule, nil):
            "Zoho is running an occurrence of the recurring schedule \(rrule ?? ""); it is cancelled once that completes"
        case .occurrenceRunning(let rrule, let desired?):
            "Zoho is running an occurrence of \(rrule ?? "another rule"); it is rescheduled to \(desired) once that completes"
        case .quotaUsedUp(let until, let zone):
            "this month's backups are used up (LIMIT_EXCEEDED): no request to Zoho before \(Self.monthText(until, zone))"
        case .quotaBlocksReplacement(let current, let desired, let until, let zone):
            "Zoho's schedule \(current ?? "") differs from the policy's \(desired), but this month's backups are used up: it is not cancelled before \(Self.monthText(until, zone)), when it can be replaced"
        }
    }

    static func monthText(_ date: Date, _ zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " " + zone.identifier
    }
}
