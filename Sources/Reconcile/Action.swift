import Foundation
import ZohoModel

/// One thing the supervisor does for an org, decided by ``Reconcile``.
public enum Action: Sendable, Equatable, CustomStringConvertible {
    /// An observation newer than an unconfirmed POST shows whether it took effect: forget it.
    case resolvePending(tookEffect: Bool)
    /// An observation shows that an unconfirmed immediate backup request reached Zoho as
    /// `jobID`: it becomes the org's ``OrgState/immediateRequest`` (a second `now` reports it).
    case confirmImmediate(jobID: String)
    /// The immediate backup request is settled (archived, failed or old): forget it.
    case forgetImmediate
    /// Observe again before any POST: Zoho said `BACKUP_ALREADY_SCHEDULED`; this observation is the new look.
    case clearAlreadyScheduled
    /// The month after `LIMIT_EXCEEDED` has begun: POSTs are allowed again.
    case clearQuotaBlock
    /// `POST /backup` with this rule (spends nothing until it runs).
    case schedule(RRule)
    /// `PUT /backup/{id}/actions/cancel` of a recurring schedule (never a one-off backup).
    case cancel(jobID: String, rrule: String?)
    /// Remember a completed backup's links the first time they are seen (its completion time).
    case noteLinks(OrgState.SeenJob)
    /// Download, verify and commit a completed backup.
    case download(Download)
    /// Links expired, but every part is downloaded and verified in `.partial/`: commit it
    /// from there (no byte of it is needed from Zoho).
    case commitComplete(jobID: String)
    /// Links expired before the backup was archived and nothing complete is on disk: report
    /// the loss, once, loudly (what was kept of it goes to the quarantine).
    case reportLost(jobID: String, expiry: Date?)
    /// Zoho's links cannot be read: an error for the org every cycle while it lasts.
    case reportUnreadableLinks(LinksProblem)
    /// The backups held in the archive changed (a hold made, released or expired): remember
    /// them; a release makes retention due.
    case noteHolds(Set<String>)
    /// Apply retention (what to remove is `BackupArchive`'s retention) — first comparing the
    /// newest backup with the one before it, once a backup (``OrgState/lastCompared``), so
    /// that a mass change holds the older backup before retention can remove it.
    case prune
    /// The newest verified backup is too old (or there is none): raise the alarm.
    case raiseFreshnessAlarm(Freshness)
    /// A backup arrived in time again: end the alarm.
    case clearFreshnessAlarm
    /// Nothing to do now, and why (shown by `plan` and `status`).
    case wait(WaitReason)

    /// A backup to bring home.
    public struct Download: Sendable, Equatable {
        /// The job, as its links name it.
        public var jobID: String
        /// The parts to fetch: every data part, attachments when the policy wants them.
        public var links: [DownloadLink]
        /// When the links stop working; nil when Zoho gave no date.
        public var expiry: Date?
        /// When the daemon first saw its links.
        public var completedAt: Date
        /// A `.partial/` download exists: only the missing bytes are fetched.
        public var resume: Bool
        /// The links expire within 24 hours: this goes before other downloads.
        public var urgent: Bool
        /// The rule of the job that made it (nil for a one-off), for the manifest.
        public var rrule: String?
        /// What made it (nil when noted by an older release), for the manifest.
        public var kind: BackupKind?

        /// Makes a download from what the decision knows of the job.
        public init(jobID: String, links: [DownloadLink], expiry: Date?, completedAt: Date, resume: Bool, urgent: Bool,
                    rrule: String? = nil, kind: BackupKind? = nil) {
            self.rrule = rrule
            self.kind = kind
            self.jobID = jobID
            self.links = links
            self.expiry = expiry
            self.completedAt = completedAt
            self.resume = resume
            self.urgent = urgent
        }
    }

    /// True for the requests that change Zoho's schedule.
    public var isZohoChange: Bool {
        switch self {
        case .schedule, .cancel: true
        default: false
        }
    }

    /// The action as `plan` and the journal show it, one sentence.
    public var description: String {
        switch self {
        case .resolvePending(let took):
            took ? "the unconfirmed backup request reached Zoho (Zoho shows it)" : "the unconfirmed backup request did not reach Zoho (Zoho does not show it)"
        case .confirmImmediate(let id): "the unconfirmed immediate backup request reached Zoho (job \(id))"
        case .forgetImmediate: "the immediate backup request is settled"
        case .clearAlreadyScheduled: "Zoho's state observed again after BACKUP_ALREADY_SCHEDULED"
        case .clearQuotaBlock: "a new month: Zoho's backup quota is available again"
        case .schedule(let rule): "schedule \(rule.normalized) in Zoho"
        case .cancel(let id, let rule): "cancel Zoho's recurring schedule \(rule ?? "") (job \(id))"
        case .noteLinks(let seen): "note the links of completed backup \(seen.jobID) (\(seen.links.count) parts)"
        case .download(let d):
            "\(d.resume ? "resume downloading" : "download") backup \(d.jobID) (\(d.links.count) parts\(d.urgent ? ", links expire within 24 h" : ""))"
        case .commitComplete(let id): "commit backup \(id) from .partial/: its links expired, but every part is downloaded and verified"
        case .reportLost(let id, let expiry):
            "report backup \(id) lost: its links expired\(expiry.map { " at \(ISO8601DateFormatter().string(from: $0))" } ?? "") before it was archived"
        case .reportUnreadableLinks(let problem): "report unreadable download links: \(problem)"
        case .noteHolds(let held): held.isEmpty ? "no backup is held" : "held backups: \(held.sorted().joined(separator: ", "))"
        case .prune: "apply retention"
        case .raiseFreshnessAlarm(let f): "raise the freshness alarm (\(f))"
        case .clearFreshnessAlarm: "end the freshness alarm"
        case .wait(let why): "wait: \(why)"
        }
    }
}

extension Freshness: CustomStringConvertible {
    /// The freshness as `status` and the alarm show it (`newest backup 2d3h old, limit 9d`).
    public var description: String {
        switch self {
        case .unlimited: "no age limit"
        case .fresh(let age, let limit): "newest backup \(Self.text(age)) old, limit \(Self.text(limit))"
        case .stale(let age, let limit): "newest backup \(Self.text(age)) old, older than \(Self.text(limit))"
        case .awaitingFirst(let watched, let limit): "no backup yet, watched for \(Self.text(watched)) of \(Self.text(limit))"
        case .missing(let watched, let limit): "no backup at all after \(Self.text(watched)), limit \(Self.text(limit))"
        }
    }

    /// A duration to the minute (to the second under a minute): `6d21h4m`.
    static func text(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        return TimeSpan.format(.seconds(seconds < 60 ? seconds : seconds - seconds % 60))
    }
}
