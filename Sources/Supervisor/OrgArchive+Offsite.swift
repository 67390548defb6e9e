import BackupArchive
import Foundation
import Policy
import Reconcile

/// An org's off-site copies as `offsite status` and `status` show them (from `offsite.json`
/// and the archive; restic is not asked).
public struct OffsiteSummary: Encodable, Sendable {
    public var org: String
    /// The repository (a URL's password masked).
    public var repository: String
    /// `offsite.required`: local retention keeps backups until they are off-site.
    public var required: Bool
    /// The newest copy: when, which backup, which snapshot, bytes it added.
    public var last_copy: Date?
    public var last_backup: String?
    public var last_snapshot: String?
    public var last_bytes_added: Int64?
    /// Bytes all recorded copies added to the repository.
    public var bytes_added: Int64
    /// Archived backups not yet off-site, and their names.
    public var lag_backups: Int
    public var not_copied: [String]
    /// The failure in force: restic's error class, the message, what to do, the next attempt.
    public var error_kind: String?
    public var error: String?
    public var hint: String?
    public var failing_since: Date?
    public var next_attempt: Date?
    /// The repository's last check, and the damage it found (an alarm until a check passes).
    public var last_check: Date?
    public var check_error: String?
    /// The repository's stored size, when asked of restic (`offsite status`).
    public var repository_bytes: Int64?
}

extension OrgArchive {
    /// The org's off-site copies; nil when it has no `offsite:`. An unreadable `offsite.json`
    /// counts as no copy (the daemon finds them again by their job tags).
    public func offsiteSummary() -> OffsiteSummary? {
        guard let offsite else { return nil }
        return OffsiteSummary(org: folder.org, offsite: offsite, state: (try? store.readOffsite()) ?? OffsiteState(), backups: folder.backups())
    }
}

extension OffsiteSummary {
    /// The summary of `state` for the org's `backups`.
    init(org: String, offsite: OffsitePolicy, state: OffsiteState, backups: [ArchivedBackup]) {
        let missing = backups.filter { state.copies[$0.manifest.jobID] == nil }.map(\.name)
        self.init(org: org, repository: offsite.displayRepository, required: offsite.required,
                              last_copy: state.lastCopy?.copiedAt, last_backup: state.lastCopy?.backup, last_snapshot: state.lastCopy?.snapshot,
                              last_bytes_added: state.lastCopy?.bytesAdded, bytes_added: state.bytesAdded,
                              lag_backups: missing.count, not_copied: missing, error_kind: state.failure?.kind, error: state.failure?.message,
                              hint: state.failure?.hint, failing_since: state.failure?.at, next_attempt: state.failure == nil ? nil : state.nextAttempt,
                  last_check: state.lastCheck, check_error: state.checkFailure)
    }
}
