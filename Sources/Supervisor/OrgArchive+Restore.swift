import BackupArchive
import Foundation

/// What `restore` did (`--json` prints it as is).
public struct RestoreResult: Sendable, Encodable {
    public var backup: String
    public var job_id: String
    public var to: String
    /// The files written, relative to `to`, with their bytes.
    public var files: [File]
    /// Entries not restored, and why (unsafe names, symbolic links).
    public var skipped: [Skipped]

    public struct File: Sendable, Encodable {
        public var path: String
        public var bytes: Int64
    }

    public struct Skipped: Sendable, Encodable {
        public var part: String
        public var entry: String
        public var reason: String
    }

    init(_ report: Restore.Report, to: String) {
        backup = report.backup
        job_id = report.jobID
        self.to = to
        files = report.files.map { .init(path: $0.path, bytes: $0.bytes) }
        skipped = report.skipped.map { .init(part: $0.part, entry: $0.entry, reason: $0.reason) }
    }
}

/// A committed backup folder given by path (a copy on a USB disk, say), for `restore`
/// without a policy.
public struct BackupFolder: Sendable {
    let backup: ArchivedBackup

    /// The backup at `path`, or nil when it holds no readable `manifest.json` of this tool.
    public init?(path: String) {
        guard let found = ArchivedBackup(path: (path as NSString).standardizingPath) else { return nil }
        backup = found
    }

    /// Restores it into `dir` (see ``OrgArchive/restore(_:to:modules:force:)``).
    public func restore(to dir: String, modules: Set<String>?, force: Bool) throws(RestoreFailure) -> RestoreResult {
        do { return RestoreResult(try Restore.run(backup, to: dir, modules: modules, force: force), to: dir) } catch {
            throw RestoreFailure(description: error.description)
        }
    }
}

/// Why a restore stopped, naming the file and what to do.
public struct RestoreFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension OrgArchive {
    /// Restores `backup` into `dir`: every entry of every part, or only `modules`' CSVs (each
    /// joined into one file); parts checked against their SHA-256 first, entries against their
    /// CRC-32; unsafe entries skipped and reported. Needs no lock: it only reads the archive.
    public func restore(_ backup: BackupSummary, to dir: String, modules: Set<String>?, force: Bool) throws(RestoreFailure) -> RestoreResult {
        try BackupFolder(backup: backup.archived).restore(to: dir, modules: modules, force: force)
    }
}

extension BackupFolder {
    init(backup: ArchivedBackup) { self.backup = backup }
}
