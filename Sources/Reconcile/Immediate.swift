import Foundation
import ZohoModel

/// What `now` does, decided from a fresh observation: the one-off and recurring rules of an
/// immediate backup, in one place for the command and the daemon's engine.
public enum Immediate: Sendable, Equatable {
    /// Send the immediate backup's POST; first cancel the recurring schedule `cancelFirst`
    /// (`--replace-schedule`), restored by the daemon once the backup completes.
    case request(cancelFirst: Cancel?)
    /// An earlier immediate request (a killed `now`'s, or one not yet archived) reached Zoho;
    /// `job` is its job when Zoho still shows it. Nothing is sent; the request is reported.
    case earlierRequest(OrgState.ImmediateRequest, job: BackupJob?)
    /// Nothing is sent, for this reason.
    case refuse(Refusal)

    /// Why `now` sends nothing; ``description`` is the sentence shown.
    public enum Refusal: Sendable, Equatable, CustomStringConvertible {
        /// A request recorded at `since` is unconfirmed and no observation newer than it exists.
        case unconfirmed(since: Date)
        /// A one-off backup is pending in Zoho.
        case oneOffPending(jobID: String, status: BackupStatus)
        /// Zoho runs an occurrence of the recurring schedule now.
        case occurrenceRunning(rrule: String?)
        /// A recurring schedule is in place and `--replace-schedule` was not given.
        case scheduleInPlace(rrule: String?, nextRun: Date?)
        /// `--replace-schedule`, but the policy has no rule to restore afterwards.
        case nothingToRestore(rrule: String?, policySchedule: String)

        /// The sentence `now` prints: what is in the way and what to do. Ends with a full stop.
        public var description: String {
            let utc = TimeZone(identifier: "UTC")!
            switch self {
            case .unconfirmed(let since):
                return "a backup request sent \(WaitReason.monthText(since, utc)) may or may not have reached Zoho; nothing is sent before Zoho is observed again."
            case .oneOffPending(let id, let status):
                return "a one-off backup (job \(id), \(status)) is already pending in Zoho; it is archived when it completes."
            case .occurrenceRunning(let rrule):
                return "Zoho is running the scheduled backup (\(rrule ?? "")) now; it is archived when it completes."
            case .scheduleInPlace(let rrule, let next):
                let when = next.map { ", next run \(WaitReason.monthText($0, utc))" } ?? ""
                return "Zoho allows one backup at a time and this org has the recurring schedule \(rrule ?? "")\(when). Run again with --replace-schedule: it cancels the schedule, runs this backup, and the schedule is restored once it completes."
            case .nothingToRestore(let rrule, let schedule):
                return "--replace-schedule restores the policy's schedule, but this org's schedule is `\(schedule)`: the daemon would not restore \(rrule ?? "Zoho's schedule"). Cancel it in Zoho's web UI instead, and schedule it again there afterwards."
            }
        }
    }

    /// The recurring schedule cancelled before the request.
    public struct Cancel: Sendable, Equatable {
        /// The recurring schedule's job id, as `GET /backup` shows it.
        public var jobID: String
        /// Its rule, as Zoho gave it (restored once the backup completes).
        public var rrule: String?

        /// Makes the cancel of schedule `jobID`.
        public init(jobID: String, rrule: String?) {
            self.jobID = jobID
            self.rrule = rrule
        }
    }
}

extension Reconcile {
    /// What `now` does after observing `remote`, and the bookkeeping of recorded requests the
    /// observation settles (carried out like ``decide(_:remote:archive:state:now:)``'s). One
    /// immediate backup at a time: while an earlier one that reached Zoho is not settled, a
    /// second `now` reports it instead of spending another backup.
    public static func immediate(_ desired: Desired, remote: RemoteObservation, archive: ArchiveObservation, state: OrgState,
                                 replaceSchedule: Bool) -> (Immediate, bookkeeping: [Action]) {
        guard let bookkeeping = requestActions(remote: remote, archive: archive, state: state, now: remote.observedAt) else {
            return (.refuse(.unconfirmed(since: state.pendingPost?.sentAt ?? remote.observedAt)), [])
        }
        let after = bookkeeping.reduce(state) { record($1, in: $0) }
        if let earlier = after.immediateRequest {
            return (.earlierRequest(earlier, job: remote.job?.id == earlier.jobID ? remote.job : nil), bookkeeping)
        }
        return (immediateRule(desired, job: remote.job, replaceSchedule: replaceSchedule), bookkeeping)
    }

    /// Zoho's one-backup-at-a-time rules for an immediate backup, given its latest job.
    static func immediateRule(_ desired: Desired, job: BackupJob?, replaceSchedule: Bool) -> Immediate {
        guard let job else { return .request(cancelFirst: nil) }
        if job.isPendingImmediate { return .refuse(.oneOffPending(jobID: job.id, status: job.status)) }
        guard job.isActiveRecurring else { return .request(cancelFirst: nil) }
        if job.status == .inProgress { return .refuse(.occurrenceRunning(rrule: job.rrule)) }
        guard replaceSchedule else { return .refuse(.scheduleInPlace(rrule: job.rrule, nextRun: job.scheduledDate)) }
        guard case .rrule = desired.schedule else {
            return .refuse(.nothingToRestore(rrule: job.rrule, policySchedule: desired.schedule.description))
        }
        return .request(cancelFirst: Immediate.Cancel(jobID: job.id, rrule: job.rrule))
    }
}
