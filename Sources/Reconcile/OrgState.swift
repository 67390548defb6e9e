import Foundation
import ZohoModel

/// What the daemon must remember about one org across restarts (`<state_dir>/<org>/state.json`,
/// written atomically). Losing it never costs a backup or a quota unit: job ids in the
/// archive and `.pruned.json` stop refetching, and an unconfirmed POST is the only thing
/// whose loss would matter, so it is written before the POST is sent — to a file of its own
/// (`pending-post.json`), because `now` records its POSTs there too.
public struct OrgState: Codable, Sendable, Equatable {
    /// The error kind of a backup lost to expired links: it stays the org's headline error until
    /// a newer backup is archived.
    public static let linksExpiredKind = "linksExpired"

    /// A POST (schedule or immediate backup) whose effect is not yet confirmed.
    public struct PendingPost: Codable, Sendable, Equatable {
        /// The rule asked for; nil for an immediate backup.
        public var rrule: String?
        /// When it was (about to be) sent.
        public var sentAt: Date
        /// The id `GET /backup` showed before it was sent: a different one afterwards means it took effect.
        public var jobIDBefore: String?
        /// An immediate backup only: the job of the links Zoho listed before it (newer links are its own).
        public var linksJobBefore: String?

        /// Records a POST about to be sent.
        public init(rrule: String?, sentAt: Date, jobIDBefore: String?, linksJobBefore: String? = nil) {
            self.rrule = rrule
            self.sentAt = sentAt
            self.jobIDBefore = jobIDBefore
            self.linksJobBefore = linksJobBefore
        }
    }

    /// An immediate backup that reached Zoho, remembered until it is settled (archived,
    /// failed in Zoho, or a week old: ``Reconcile/immediateSettled(_:remote:archive:now:)``),
    /// so that a second `now` reports it instead of spending another backup.
    public struct ImmediateRequest: Codable, Sendable, Equatable {
        /// When the POST was (about to be) sent.
        public var sentAt: Date
        /// The job Zoho made for it.
        public var jobID: String
        /// The job of the links Zoho listed before it: newer links are this backup's.
        public var linksJobBefore: String?

        /// Records an immediate backup Zoho accepted as `jobID`.
        public init(sentAt: Date, jobID: String, linksJobBefore: String?) {
            self.sentAt = sentAt
            self.jobID = jobID
            self.linksJobBefore = linksJobBefore
        }
    }

    /// A completed backup's links, as first seen.
    public struct SeenJob: Codable, Sendable, Equatable {
        /// The backup's job id, as its links name it.
        public var jobID: String
        /// Every link, data first (stored as Zoho's strings).
        public var links: [DownloadLink]
        /// The links' `expiry_date`.
        public var expiry: Date?
        /// When the daemon first saw the links: the backup's completion time in the archive.
        public var firstSeen: Date
        /// The rule of the job Zoho showed then (nil for a one-off).
        public var rrule: String?
        /// What made the backup (nil when noted by an older release).
        public var kind: BackupKind?

        /// Records a completed backup's links as first seen, with what made it when known.
        public init(jobID: String, links: [DownloadLink], expiry: Date?, firstSeen: Date, rrule: String? = nil, kind: BackupKind? = nil) {
            self.jobID = jobID
            self.links = links
            self.expiry = expiry
            self.firstSeen = firstSeen
            self.rrule = rrule
            self.kind = kind
        }
    }

    /// The last failure, for `status` and the backoff.
    public struct LastError: Codable, Sendable, Equatable {
        /// A short machine-readable kind (`invalidRefreshToken`, `diskFull`, …).
        public var kind: String
        /// The sentence naming what happened, org and job included.
        public var message: String
        /// What to do about it.
        public var hint: String
        /// When it happened.
        public var at: Date
        /// The job it concerns, if one.
        public var jobID: String?

        /// Records a failure.
        public init(kind: String, message: String, hint: String, at: Date, jobID: String? = nil) {
            self.kind = kind
            self.message = message
            self.hint = hint
            self.at = at
            self.jobID = jobID
        }
    }

    /// The file's format (1; the recorded requests moved to files of their own without changing it).
    public var format = 1
    /// When the daemon started managing this org: a new org is not in freshness alarm before it could have a backup.
    public var watchingSince: Date
    /// Kept in `pending-post.json`, not `state.json` (see ``StateStore``).
    public var pendingPost: PendingPost?
    /// Kept in `immediate-request.json`, not `state.json`.
    public var immediateRequest: ImmediateRequest?
    /// The last observation of Zoho.
    public var lastObservation: RemoteObservation?
    /// Completed backups whose links the daemon has seen, by job id (kept until archived or lost).
    public var seenJobs: [String: SeenJob] = [:]
    /// Jobs reported lost because their links expired first (reported once; the newest 100 are kept).
    public var lostJobs: [String] = []
    /// After `LIMIT_EXCEEDED`: no POST before this time (the next month in the org's zone).
    public var quotaBlockedUntil: Date?
    /// When Zoho last refused a POST with `BACKUP_ALREADY_SCHEDULED`: observe again before any POST.
    public var alreadyScheduledAt: Date?
    /// A backup was committed and retention has not run since.
    public var pruneDue = false
    /// The freshness alarm is raised (so it is logged when it starts and when it ends).
    public var freshnessAlarm = false
    /// The last failure, cleared by a fully successful cycle.
    public var lastError: LastError?
    /// Failed cycles in a row (for the backoff).
    public var consecutiveFailures = 0
    /// The end of the last cycle that succeeded.
    public var lastSuccess: Date?
    /// The newest backup archived by the daemon and when.
    public var lastArchived: String?
    /// The job of the newest backup compared with the one before it (the mass-change alarm
    /// runs once a backup).
    public var lastCompared: String?
    /// The backups held when the daemon last looked (a release makes retention due). Optional
    /// so that a state file written before holds existed still reads.
    public var heldBackups: Set<String>?

    /// A fresh state for an org first watched at `watchingSince`.
    public init(watchingSince: Date) { self.watchingSince = watchingSince }
}
