import BackupArchive
import Foundation

/// What `find` shows of one record in one org (`--json` prints it as is).
public struct FoundRecord: Sendable, Encodable {
    /// A backup that holds the record.
    public struct Presence: Sendable, Encodable {
        public var backup: String
        public var job_id: String
        public var completed_at: Date
        public var module: String
        /// Its row differs from the backup before that held it (false for the first).
        public var changed: Bool
    }

    /// One column of the record, in the file's order.
    public struct Field: Sendable, Encodable {
        public var column: String
        public var value: String
    }

    public var org: String
    public var id: String
    /// Every backup that holds the record, oldest first.
    public var backups: [Presence]
    /// The backup after the newest one holding it, when there is one: the record was deleted
    /// (or left the module) between the two.
    public var missing_since: String?
    /// The record as the newest backup holding it has it.
    public var record: [Field]
    /// The id appears more than once in that backup's module: the rows after the first.
    public var more_rows: [[Field]]
    /// Backups that could not be searched (no usable index: `reindex` builds it).
    public var not_searched: [String]
}

extension OrgArchive {
    /// Every backup that holds record `id` (in `module`, or any module), from the indexes
    /// alone, and the record itself from the newest of them (only that module's CSV entries
    /// are inflated). - Returns: nil when no backup holds it.
    public func find(_ id: String, module: String? = nil) throws(DiffFailure) -> FoundRecord? {
        var presences: [FoundRecord.Presence] = []
        var notSearched: [String] = []
        var newest: (backup: ArchivedBackup, module: RecordIndexHeader.Module)?
        var lastHash: UInt64?
        var missingSince: String?
        for backup in folder.backups() {
            let index: RecordIndex
            switch folder.index(of: backup) {
            case .success(let found): index = found
            case .failure: notSearched.append(backup.name); continue
            }
            var hit: (RecordIndexHeader.Module, UInt64)?
            for candidate in index.header.modules where module.map({ $0 == candidate.name }) ?? true {
                do {
                    if let hash = try RecordLookup.hash(of: id, in: candidate, index: index) { hit = (candidate, hash); break }
                } catch {
                    throw DiffFailure(description: "[\(folder.org)] \(backup.name): \(error.description)")
                }
            }
            guard let (found, hash) = hit else {
                if newest != nil, missingSince == nil { missingSince = backup.name }
                continue
            }
            presences.append(.init(backup: backup.name, job_id: backup.manifest.jobID, completed_at: backup.manifest.completedAt,
                                   module: found.name, changed: lastHash.map { $0 != hash } ?? false))
            lastHash = hash
            newest = (backup, found)
            missingSince = nil
        }
        guard let newest else { return nil }
        let rows: (header: [String], rows: [[String]])
        do { rows = try RecordLookup.rows(of: id, module: newest.module, folder: newest.backup.folder) } catch {
            throw DiffFailure(description: "[\(folder.org)] \(newest.backup.name): \(error.description)")
        }
        func fields(_ row: [String]) -> [FoundRecord.Field] {
            row.enumerated().map { .init(column: $0.offset < rows.header.count ? rows.header[$0.offset] : "#\($0.offset + 1)", value: $0.element) }
        }
        return FoundRecord(org: folder.org, id: id, backups: presences, missing_since: missingSince,
                           record: rows.rows.first.map(fields) ?? [], more_rows: rows.rows.dropFirst().map(fields), not_searched: notSearched)
    }
}
