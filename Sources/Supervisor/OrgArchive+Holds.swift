import BackupArchive
import Foundation

/// A hold in force on a backup, as `hold`, `list` and `status` show it (`--json` keys).
public struct HeldBackup: Sendable, Encodable {
    public var org: String
    public var backup: String
    public var job_id: String
    /// `manual` (by hand, until released) or `mass_change` (the backup before a mass change).
    public var kind: String
    public var reason: String
    public var created_at: Date
    /// When it ends by itself; nil: only `hold --release` ends it.
    public var expires_at: Date?
    /// A mass change: the backup that showed it, and what it found.
    public var changed_in: String?
    public var findings: [String]?
    /// A mass change: the modules over a limit.
    public var modules: [String]?

    init(_ hold: Hold, org: String) {
        self.org = org
        backup = hold.backup
        job_id = hold.jobID
        kind = hold.kind.rawValue
        reason = hold.reason
        created_at = hold.createdAt
        expires_at = hold.expiresAt
        changed_in = hold.changedIn
        findings = hold.findings
        modules = hold.modules
    }

    /// The hold after a mass change (its alarm lasts as long as the hold).
    public var isMassChange: Bool { kind == Hold.Kind.massChange.rawValue }
}

extension OrgArchive {
    /// The archive's holds in force at `now`, oldest backup first. - Throws: when the holds
    /// file cannot be read (its description names it and what to do).
    public func holds(now: Date) throws(HoldFile.Unreadable) -> [HeldBackup] {
        try folder.holds().holds.filter { $0.isActive(at: now) }.sorted { ($0.backup, $0.createdAt) < ($1.backup, $1.createdAt) }
            .map { HeldBackup($0, org: folder.org) }
    }

    /// Holds `backup` by hand until released (a legal hold), under the org's and the archive's locks.
    public func hold(_ backup: BackupSummary, reason: String, now: Date) async throws(ArchiveCommandError) -> HeldBackup {
        let hold = Hold(backup: backup.name, jobID: backup.jobID, kind: .manual, reason: reason, createdAt: now)
        try await withLocks(command: "hold") { () throws(ArchiveCommandError) in
            do { try folder.updateHolds(now: now) { $0.holds.append(hold) } } catch { throw .failed("\(error)") }
        }
        return HeldBackup(hold, org: folder.org)
    }

    /// Ends every hold on `backup` (made by hand or by a mass change); the daemon's next
    /// cycle applies retention to it again. - Returns: the holds ended (none: it was not held).
    public func release(_ backup: BackupSummary, now: Date) async throws(ArchiveCommandError) -> [HeldBackup] {
        try await withLocks(command: "hold --release") { () throws(ArchiveCommandError) in
            var released: [Hold] = []
            do {
                try folder.updateHolds(now: now) { file in
                    released = file.holds.filter { $0.backup == backup.name && $0.isActive(at: now) }
                    file.holds.removeAll { $0.backup == backup.name }
                }
            } catch {
                throw .failed("\(error)")
            }
            return released.map { HeldBackup($0, org: folder.org) }
        }
    }
}
