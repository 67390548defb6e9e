import Foundation
import ZohoModel

/// What the daemon remembers of an org's off-site copies (`<state_dir>/<org>/offsite.json`,
/// written atomically by the org's worker only). Losing it costs one `restic snapshots` per
/// backup: before each copy the repository is asked for a snapshot tagged with the job.
public struct OffsiteState: Codable, Sendable, Equatable {
    /// A backup that is in the repository.
    public struct Copy: Codable, Sendable, Equatable {
        /// The backup folder's name.
        public var backup: String
        /// The snapshot holding it (short id).
        public var snapshot: String
        /// When the copy was confirmed.
        public var copiedAt: Date
        /// Bytes it added to the repository (after deduplication); nil when it was found there.
        public var bytesAdded: Int64?

        /// Records a copy restic confirmed.
        public init(backup: String, snapshot: String, copiedAt: Date, bytesAdded: Int64?) {
            self.backup = backup
            self.snapshot = snapshot
            self.copiedAt = copiedAt
            self.bytesAdded = bytesAdded
        }
    }

    /// The last failure, until a copy succeeds.
    public struct Failure: Codable, Sendable, Equatable {
        /// restic's error class (`wrongPassword`, `locked`, …) or `secret`.
        public var kind: String
        /// The sentence naming what happened (restic's own words).
        public var message: String
        /// What to do about it.
        public var hint: String
        /// When it happened.
        public var at: Date
        /// The backup being copied, if one.
        public var jobID: String?
        /// When it was last written to the journal (once, then hourly while it lasts).
        public var reportedAt: Date
    }

    /// The repository the copies are in (`offsite.repository`) and its restic id: copies
    /// recorded for another repository, or one made anew at the same address, do not count.
    public var repository: String?
    /// restic's id of that repository (`restic cat config`), once read.
    public var repositoryID: String?
    /// Backups in the repository, by job id (the backups still in the local archive, and the newest copy).
    public var copies: [String: Copy] = [:]
    /// The newest copy confirmed.
    public var lastCopy: Copy?
    /// The last failure, until a copy succeeds.
    public var failure: Failure?
    /// Failed attempts in a row (for the backoff).
    public var consecutiveFailures = 0
    /// No attempt before this time (the backoff after a failure).
    public var nextAttempt: Date?
    /// Bytes all copies added to the repository.
    public var bytesAdded: Int64 = 0
    /// The repository's stored size after the last copy, when restic said.
    public var repositorySize: Int64?
    /// When the repository's retention (`restic forget`) last ran for the org.
    public var lastForget: Date?
    /// The repository's last check failed, with restic's words (the alarm lasts until a check passes).
    public var checkFailure: String?
    /// When the repository was last checked.
    public var lastCheck: Date?
    /// The repository refuses deletions (append-only): retention is its owner's, not ours.
    public var appendOnly: Bool?
    /// When this record began for its repository (a lost `offsite.json`, or another
    /// repository, starts anew): a backup completed after it cannot have been copied before
    /// it, so its copy needs no search of the repository first. Nil: search before every copy.
    public var since: Date?
    /// The job whose copy was started and is not confirmed yet: restic may have made its
    /// snapshot before it was stopped, so the next attempt searches first.
    public var copyStarted: String?

    /// No copy yet.
    public init() {}
}

/// A backup in the local archive, as the off-site decision needs it.
public struct LocalBackup: Sendable, Equatable {
    /// Its folder's name.
    public var name: String
    /// The job it holds.
    public var jobID: String
    /// Its completion time (the snapshot's time).
    public var completedAt: Date

    /// A backup of the archive.
    public init(name: String, jobID: String, completedAt: Date) {
        self.name = name
        self.jobID = jobID
        self.completedAt = completedAt
    }
}

/// What came of an off-site copy: the input of ``Reconcile/applyOffsite(_:to:desired:now:)``.
public enum OffsiteOutcome: Sendable, Equatable {
    /// restic confirmed the snapshot (`found`: one tagged with the job was there already, from
    /// a copy whose confirmation was lost).
    case copied(backup: String, jobID: String, snapshot: String, bytesAdded: Int64?, bytesRead: Int64?, found: Bool, repositorySize: Int64?)
    /// The copy of `jobID` (or the preparation, before one was chosen) failed.
    case failed(jobID: String?, kind: String, message: String, hint: String)
    /// The repository's retention ran for the org: the backups whose snapshots it forgot, how
    /// many snapshots it kept, and how many `hold` tags it changed first.
    case forgot(removed: [String], kept: Int, holdTagsChanged: Int, keep: RetentionCounts)
    /// The repository was checked (`restic check --read-data-subset`): `failure` is restic's
    /// account of the damage, nil when it passed.
    case checked(failure: String?, subset: String)
    /// The repository refused a deletion: it is append-only (found by `how`).
    case appendOnly(how: String)
    /// A copy of `jobID` starts (recorded before restic runs).
    case started(jobID: String)
}

/// A snapshot as the hold-tag decision sees it.
public struct HoldTagged: Sendable, Equatable {
    /// The snapshot's id.
    public var id: String
    /// The job it holds.
    public var jobID: String
    /// It carries the `hold` tag.
    public var tagged: Bool

    /// A snapshot of `jobID`, `tagged` with `hold` or not.
    public init(id: String, jobID: String, tagged: Bool) {
        self.id = id
        self.jobID = jobID
        self.tagged = tagged
    }
}
