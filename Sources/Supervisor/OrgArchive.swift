import BackupArchive
import Foundation
import Logging
import Policy
import Reconcile
import ZohoModel

/// One org's archive as the archive commands (`list`, `verify`, `prune`, `inspect`, `reindex`) and `now` see it:
/// the commands go through here, never through `BackupArchive` itself.
public struct OrgArchive: Sendable {
    let folder: ArchiveFolder
    let store: StateStore
    /// The org's `offsite:` (`required: true` keeps backups not yet off-site).
    let offsite: OffsitePolicy?

    /// - Parameter stateDir: the policy's `state_dir` (where the org's lock lives).
    public init(_ org: OrgPolicy, stateDir: String) {
        folder = ArchiveFolder(path: org.archive.path, org: org.name, minFree: org.archive.minFree, logger: Logger(label: "zoho-crm-backup"))
        store = StateStore(stateDir: stateDir, org: org.name)
        offsite = org.offsite
    }

    /// Every committed backup, oldest first.
    public func backups() -> [BackupSummary] { folder.backups().map(BackupSummary.init) }

    /// Re-reads every file of `backup` (SHA-256 and every zip entry's CRC-32); changes nothing.
    public func verify(_ backup: BackupSummary) async -> VerifyResult {
        let report = await folder.verify(backup.archived)
        return VerifyResult(problems: report.problems, filesChecked: report.filesChecked)
    }

    /// Applies retention as the daemon does, under the org's lock (waited for up to 30 s;
    /// none is taken for a dry run). - Throws: ``ArchiveCommandError``.
    public func prune(keep: RetentionCounts, timeZone: TimeZone, dryRun: Bool, now: Date) async throws(ArchiveCommandError) -> [PruneRow] {
        try await withLocks(command: "prune", take: !dryRun) { () throws(ArchiveCommandError) in
            do {
                let copies = (try? store.readOffsite()) ?? OffsiteState()
                let kept = OrgWorker.offsiteKept(backups: folder.backups(), offsite: offsite, state: copies, copying: nil)
                return try folder.prune(keep: keep, timeZone: timeZone, now: now, dryRun: dryRun, kept: kept)
                    .map { PruneRow(backup: $0.backup, jobID: $0.jobID, keep: $0.decision.keep, reasons: $0.decision.reasons) }
            } catch {
                throw .failed("\(error)")
            }
        }
    }

    /// Runs `body` holding the org's lock, then the archive's (the order every writer takes
    /// them in), each waited for up to 30 s; without them when `take` is false.
    func withLocks<T>(command: String, take: Bool = true, _ body: () async throws(ArchiveCommandError) -> T) async throws(ArchiveCommandError) -> T {
        var locks: [FileLock] = []
        defer { for lock in locks.reversed() { lock.unlock() } }
        if take {
            guard let state = try? await store.lock(timeout: .seconds(30)) else { throw .busy(org: folder.org, lockPath: store.lockPath) }
            locks.append(state)
            let holder = "pid \(getpid()), zoho-crm-backup \(command)"
            guard let archive = try? await folder.lock(holder: holder, timeout: .seconds(30)) else {
                throw .busy(org: folder.org, lockPath: "\(folder.lockPath), held by \(folder.lockHolder() ?? "another process")")
            }
            locks.append(archive)
        }
        return try await body()
    }
}

/// An archived backup, as the commands show it.
public struct BackupSummary: Sendable, Equatable {
    /// The folder's path and name (`<completed>_<job>`).
    public var folder: String
    public var name: String
    public var jobID: String
    public var completedAt: Date
    public var parts: Int
    public var bytes: Int64
    /// When its newest file was verified.
    public var verifiedAt: Date?
    let archived: ArchivedBackup

    init(_ backup: ArchivedBackup) {
        archived = backup
        folder = backup.folder
        name = backup.name
        jobID = backup.manifest.jobID
        completedAt = backup.manifest.completedAt
        parts = backup.manifest.files.count
        bytes = backup.manifest.totalSize
        verifiedAt = backup.manifest.files.map(\.verifiedAt).max()
    }
}

/// What `verify` found in one backup.
public struct VerifyResult: Sendable, Equatable {
    /// One line per problem, naming the file; empty when the backup is intact.
    public var problems: [String]
    public var filesChecked: Int
    public var ok: Bool { problems.isEmpty }
}

/// What retention did (or would do) to one backup.
public struct PruneRow: Sendable, Equatable {
    public var backup: String
    public var jobID: String
    public var keep: Bool
    /// The rules that keep it (`last 4`, `weekly 2026-W47`), or why it goes.
    public var reasons: [String]
}

/// Why an archive command that writes (`prune`, `reindex`) did nothing for an org.
public enum ArchiveCommandError: Error, CustomStringConvertible {
    /// Another process (the daemon, most likely) holds the org's lock.
    case busy(org: String, lockPath: String)
    /// The work failed; the sentence names the folder and what to do.
    case failed(String)

    public var description: String {
        switch self {
        case .busy(let org, let path): "[\(org)] the daemon is working on this org (\(path)); try again in a moment"
        case .failed(let text): text
        }
    }
}
