import Foundation
import ZohoModel

/// What came of something the shell carried out — a change to Zoho's schedule, a download, a
/// loss: the input of ``Reconcile/apply(_:to:desired:now:)``, which decides what it does to
/// the org's state and what is reported.
public enum Outcome: Sendable, Equatable {
    /// `POST /backup` with `rule` (nil: an immediate backup) was accepted: Zoho made `jobID`.
    case postAccepted(rule: String?, jobID: String)
    /// The POST failed as `failure` says.
    case postFailed(rule: String?, Failure)
    /// The recurring schedule `jobID` was cancelled (`already`: Zoho said it already was).
    case cancelled(jobID: String, rule: String?, already: Bool)
    /// The cancel of `jobID` failed as `failure` says.
    case cancelFailed(jobID: String, Failure)
    /// A backup is in the archive, verified (`fromDisk`: committed from `.partial/`).
    case archived(Archived)
    /// Bringing `jobID` home failed; `countedAs` is the failure metric's kind (`download`, `verify`).
    case archiveFailed(jobID: String, Failure, countedAs: FailureKind)
    /// The links of `jobID` expired before it was archived, with nothing complete on disk.
    case linksLost(jobID: String, expiry: Date?)
    /// Zoho's links cannot be read.
    case linksUnreadable(LinksProblem)
    /// Retention ran; `removed` are the backups it deleted (none is fine).
    case pruned(removed: [Pruned])
    /// A download found the disk below `archive.min_free` while `offsite.required` kept
    /// backups beyond `keep` that are not off-site: the new download wins, and `removed` are
    /// those backups, deleted though never copied off-site.
    case removedNotOffsite(removed: [Pruned])
    /// What a lost backup held was moved to the archive's `.quarantine/`.
    case quarantined(jobID: String, files: [String], folder: String)
    /// The newest backup was compared with the one before it (``Reconcile/massChanges(in:limits:)``
    /// decides the alarm); `holdFailure` says why the older backup could not be held, when
    /// the shell tried and failed.
    case compared(Comparison, holdFailure: String?)
    /// Something else failed before or around the work: Zoho could not be observed, the
    /// credentials file cannot be used, the state folder cannot be written, retention or the
    /// quarantine failed. `countedAs` is the failure metric's kind, if it is counted.
    case problem(Failure, countedAs: FailureKind?)

    /// A backup retention removed.
    public struct Pruned: Sendable, Equatable {
        /// Its folder's name and job.
        public var backup: String
        /// The job whose backup it was.
        public var jobID: String
        /// Why it goes (`beyond keep.last=2`).
        public var reasons: [String]

        /// Makes the record of one removed backup.
        public init(backup: String, jobID: String, reasons: [String]) {
            self.backup = backup
            self.jobID = jobID
            self.reasons = reasons
        }
    }

    /// A backup committed to the archive.
    public struct Archived: Sendable, Equatable {
        /// The job archived.
        public var jobID: String
        /// Its folder's name (`<completed>_<job>`).
        public var name: String
        /// Its folder's path.
        public var folder: String
        /// How many parts it holds.
        public var parts: Int
        /// Their total size in bytes.
        public var bytes: Int64
        /// Committed from `.partial/` after a crash or after its links expired, not downloaded now.
        public var fromDisk: Bool

        /// Makes the outcome of a commit.
        public init(jobID: String, name: String, folder: String, parts: Int, bytes: Int64, fromDisk: Bool) {
            self.jobID = jobID
            self.name = name
            self.folder = folder
            self.parts = parts
            self.bytes = bytes
            self.fromDisk = fromDisk
        }
    }

    /// A failed request, as the decision needs it.
    public struct Failure: Sendable, Equatable {
        /// What the failure decides (see ``Kind``).
        public var kind: Kind
        /// The error's own kind name (`ZohoError.Kind`), recorded for `status`.
        public var name: String
        /// The sentence naming what happened, org and job included.
        public var message: String
        /// What to do.
        public var hint: String
        /// The job the request was about, if one.
        public var jobID: String?

        /// Makes a failure; `name` is recorded for `status`, `message` and `hint` are shown.
        public init(_ kind: Kind, name: String, message: String, hint: String, jobID: String? = nil) {
            self.kind = kind
            self.name = name
            self.message = message
            self.hint = hint
            self.jobID = jobID
        }

        /// The kinds that decide something; everything else is ``other``.
        public enum Kind: Sendable, Equatable {
            /// The POST may or may not have reached Zoho.
            case ambiguous
            /// `BACKUP_ALREADY_SCHEDULED`.
            case alreadyScheduled
            /// `LIMIT_EXCEEDED`: this month's backups are used up.
            case limitExceeded
            /// The cancel found the job running (`INPROGRESS`) or gone.
            case notNow
            /// Zoho refused the credentials.
            case credentials
            case other
        }
    }
}

/// What the shell logs, counts and records for an outcome — decided by
/// ``Reconcile/apply(_:to:desired:now:)``, carried out by the supervisor.
public struct Report: Sendable, Equatable {
    /// How loud the report is: the journal's priority.
    public enum Level: Sendable, Equatable { case info, notice, warning, error, critical }
    /// The journal event (a fixed `MESSAGE_ID`) this report is, if one.
    public enum Event: Sendable, Equatable, CaseIterable {
        case scheduleChanged, credentialsRejected, backupArchived, backupFailed, linksExpired, linksUnreadable
        case retentionRemoved, partsQuarantined, massChange
        /// A backup is in the off-site repository; a copy into it failed.
        case offsiteCopied, offsiteFailed
        /// The off-site repository's check found damage.
        case offsiteCheckFailed
        /// A backup's download began; the newest backup is too old, or recent again.
        case backupStarted, backupLate, backupOnTime
        /// The daemon started, or is stopping; the daily digest.
        case daemonStarted, daemonStopping, dailyDigest
    }
    /// What a metric counts.
    public enum Count: Sendable, Equatable {
        /// A failure of this kind (the failures metric's `kind` label).
        case failure(FailureKind)
        case quotaError
        /// A backup archived: its bytes and parts, and the time of the last success.
        case archived(bytes: Int64, parts: Int)
        /// A module's records in the newest backup, and those deleted and changed since the one before.
        case records(module: String, records: Int, deleted: Int, changed: Int)
        /// A backup copied off-site: the bytes it added to the repository, and the time of the last copy.
        case offsiteCopied(bytesAdded: Int64)
    }

    /// The journal priority.
    public var level: Level
    /// The journal event it is (a fixed `MESSAGE_ID`), if one.
    public var event: Event?
    /// The sentence logged, naming the org and job.
    public var message: String
    /// The job it concerns (the journal's `ZOHO_JOB_ID`), if one.
    public var jobID: String?
    /// This report is the org's last error (`state.lastError`, shown by `status`): logged when
    /// it starts or changes, and once an hour while it lasts.
    public var isError: Bool
    /// What the metrics count for it.
    public var counts: [Count]
    /// More journal fields (`module` → `ZOHO_MODULE`).
    public var fields: [String: String]
    /// What to do about it (an alert carries it apart from the sentence), if anything.
    public var hint: String?

    /// Makes a report; an error report (`isError`) also becomes the org's last error.
    public init(_ level: Level, _ message: String, event: Event? = nil, jobID: String? = nil, isError: Bool = false, counts: [Count] = [],
                fields: [String: String] = [:], hint: String? = nil) {
        self.fields = fields
        self.hint = hint
        self.level = level
        self.message = message
        self.event = event
        self.jobID = jobID
        self.isError = isError
        self.counts = counts
    }
}
