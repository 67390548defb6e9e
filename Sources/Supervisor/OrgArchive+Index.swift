import BackupArchive
import Foundation

/// What `inspect` shows of one backup, from its record index (`--json` prints it as is).
public struct BackupContents: Sendable, Encodable {
    public struct Module: Sendable, Encodable {
        public var name: String
        public var records: Int
        public var duplicate_ids: Int
        /// A file of the module could not be read to its end: the count is a lower bound.
        public var incomplete: Bool
        public var files: [File]
        public var header: [String]
        /// Columns that appeared or went since the previous backup (a rename is one of each);
        /// nil when there is no previous backup with an index, or the module is new.
        public var columns_added: [String]?
        public var columns_removed: [String]?
    }

    public struct File: Sendable, Encodable {
        public var name: String
        public var part: String
        public var records: Int
        public var problems: [String]
    }

    public var org: String
    public var backup: String
    public var job_id: String
    public var completed_at: Date
    public var rrule: String?
    public var kind: String?
    public var modules: [Module]
    /// Modules that appeared or vanished since the previous backup.
    public var modules_added: [String]?
    public var modules_removed: [String]?
    public var previous_backup: String?
    public var attachments: Int
    public var attachment_bytes: Int64
    public var records_with_attachments: Int
    public var other_files: [String]
    public var skipped_entries: [String]
    /// Why the backup is held (retention keeps it), if it is.
    public var held: [String]?
}

/// What `reindex` did to one backup.
public enum ReindexOutcome: Sendable, Equatable {
    /// The index was there and its checksum matched: left as it was.
    case valid
    /// Built (it was missing, damaged, or rebuilding was asked for): records, modules, and why.
    case built(records: Int, modules: Int, reason: String)
}

extension OrgArchive {
    /// The backup's contents from its record index, with the header changes since the backup
    /// before it. - Returns: why not, when the index is missing or damaged (`reindex` builds it).
    public func inspect(_ backup: BackupSummary) -> Result<BackupContents, RecordIndex.Unusable> {
        let index: RecordIndex
        switch folder.index(of: backup.archived) {
        case .success(let found): index = found
        case .failure(let problem): return .failure(problem)
        }
        let all = folder.backups()
        let previousBackup = all.firstIndex { $0.name == backup.name }.flatMap { $0 > 0 ? all[$0 - 1] : nil }
        let previous = previousBackup.flatMap { try? folder.index(of: $0).get() }
        let manifest = backup.archived.manifest
        let header = index.header
        let modules = header.modules.map { module -> BackupContents.Module in
            let before = previous?.module(module.name)
            return BackupContents.Module(
                name: module.name, records: module.records, duplicate_ids: module.duplicateIDs, incomplete: module.incomplete,
                files: module.files.map { .init(name: $0.name, part: $0.part, records: $0.records, problems: $0.problems) },
                header: module.header,
                columns_added: before.map { old in module.header.filter { !old.header.contains($0) } },
                columns_removed: before.map { old in old.header.filter { !module.header.contains($0) } })
        }
        let names = Set(header.modules.map(\.name))
        let oldNames = previous.map { Set($0.header.modules.map(\.name)) }
        return .success(BackupContents(
            org: folder.org, backup: backup.name, job_id: backup.jobID, completed_at: backup.completedAt, rrule: manifest.rrule,
            kind: manifest.kind?.rawValue, modules: modules, modules_added: oldNames.map { names.subtracting($0).sorted() },
            modules_removed: oldNames.map { $0.subtracting(names).sorted() }, previous_backup: previous == nil ? nil : previousBackup?.name,
            attachments: header.attachments.count, attachment_bytes: header.attachments.bytes,
            records_with_attachments: header.attachments.parents, other_files: header.otherFiles, skipped_entries: header.skipped,
            held: (try? folder.holds())?.active(at: Date())[backup.name]?.map(\.reason)))
    }

    /// Builds the record index of `backup` when it is missing or damaged (always with
    /// `force`), under the org's lock and the archive's, as the daemon would.
    public func reindex(_ backup: BackupSummary, force: Bool) async throws(ArchiveCommandError) -> ReindexOutcome {
        try await withLocks(command: "reindex") { () throws(ArchiveCommandError) in
            let reason: String
            switch folder.index(of: backup.archived) {
            case .success: if !force { return .valid }; reason = "rebuilt as asked"
            case .failure(let problem): reason = problem.description
            }
            do {
                let index = try await folder.reindex(backup.archived)
                return .built(records: index.header.modules.reduce(0) { $0 + $1.records }, modules: index.header.modules.count, reason: reason)
            } catch {
                throw .failed("\(error)")
            }
        }
    }
}
