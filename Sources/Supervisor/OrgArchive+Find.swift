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
    /// Its notes in that backup (the Notes module's rows whose `Parent.id` is the record's).
    public var notes: [[Field]]
    /// Its attachments in that backup (`Attachments_001.csv`'s rows whose `Parent.id` is the
    /// record's; the files are `Attachments/<Record Id>_<File Name>` in the attachments parts).
    public var attachments: [[Field]]
    /// Backups that could not be searched (no usable index: `reindex` builds it).
    public var not_searched: [String]
    /// With `--history`: each backup where the row changed, column by column against the
    /// backup before it that held the record.
    public var history: [Change]?

    /// How the record changed in one backup.
    public struct Change: Sendable, Encodable {
        public var backup: String
        public var completed_at: Date
        public var columns: [ColumnChange]
    }

    /// One column's value before and after (nil: the column was not in that backup's header).
    public struct ColumnChange: Sendable, Encodable {
        public var column: String
        public var before: String?
        public var after: String?
    }
}

extension OrgArchive {
    /// Every backup that holds record `id` (in `module`, or any module), from the indexes
    /// alone, and the record itself from the newest of them (only that module's CSV entries
    /// are inflated). - Returns: nil when no backup holds it.
    public func find(_ id: String, module: String? = nil, history: Bool = false) throws(DiffFailure) -> FoundRecord? {
        var presences: [FoundRecord.Presence] = []
        var holders: [(backup: ArchivedBackup, module: RecordIndexHeader.Module)] = []
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
            holders.append((backup, found))
            missingSince = nil
        }
        guard let newest else {
            if !notSearched.isEmpty {
                throw DiffFailure(description: "[\(folder.org)] record \(id) is in no backup that could be searched; \(notSearched.count) backup\(notSearched.count == 1 ? " has" : "s have") no usable index (build them with `zoho-crm-backup reindex`): \(notSearched.joined(separator: ", "))")
            }
            return nil
        }
        func read(_ holder: (backup: ArchivedBackup, module: RecordIndexHeader.Module), column: String? = nil) throws(DiffFailure) -> [[FoundRecord.Field]] {
            let rows: (header: [String], rows: [[String]])
            do { rows = try RecordLookup.rows(of: id, module: holder.module, folder: holder.backup.folder, column: column) } catch {
                throw DiffFailure(description: "[\(folder.org)] \(holder.backup.name): \(error.description)")
            }
            return rows.rows.map { row in
                row.enumerated().map { .init(column: $0.offset < rows.header.count ? rows.header[$0.offset] : "#\($0.offset + 1)", value: $0.element) }
            }
        }
        let rows = try read(newest)
        // Its children in the same backup, by parent id.
        var children: [String: [[FoundRecord.Field]]] = [:]
        if let index = try? folder.index(of: newest.backup).get() {
            for name in ["Notes", "Attachments"] {
                guard let module = index.module(name), module.header.contains("Parent.id") else { continue }
                children[name] = try read((newest.backup, module), column: "Parent.id")
            }
        }
        var result = FoundRecord(org: folder.org, id: id, backups: presences, missing_since: missingSince,
                                 record: rows.first ?? [], more_rows: Array(rows.dropFirst()), notes: children["Notes"] ?? [],
                                 attachments: children["Attachments"] ?? [], not_searched: notSearched)
        if history {
            // Only the backups where the row hash changed, and the one before each, are read.
            var changes: [FoundRecord.Change] = []
            var cache: [String: [FoundRecord.Field]] = [newest.backup.name: rows.first ?? []]
            func row(_ i: Int) throws(DiffFailure) -> [FoundRecord.Field] {
                if let known = cache[holders[i].backup.name] { return known }
                let fields = try read(holders[i]).first ?? []
                cache[holders[i].backup.name] = fields
                return fields
            }
            for i in presences.indices where presences[i].changed && i > 0 {
                let before = try row(i - 1), after = try row(i)
                changes.append(.init(backup: presences[i].backup, completed_at: presences[i].completed_at,
                                     columns: Self.columnChanges(before, after)))
            }
            result.history = changes
        }
        return result
    }

    /// The columns whose values differ between two versions of a row, by column name, in the
    /// newer row's order, then the columns only the older had.
    static func columnChanges(_ before: [FoundRecord.Field], _ after: [FoundRecord.Field]) -> [FoundRecord.ColumnChange] {
        let old = Dictionary(before.map { ($0.column, $0.value) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(after.map { ($0.column, $0.value) }, uniquingKeysWith: { a, _ in a })
        var changes = after.compactMap { field -> FoundRecord.ColumnChange? in
            old[field.column] == field.value || (old[field.column] == nil && field.value.isEmpty)
                ? nil : .init(column: field.column, before: old[field.column], after: field.value)
        }
        changes += before.filter { new[$0.column] == nil && !$0.value.isEmpty }.map { .init(column: $0.column, before: $0.value, after: nil) }
        return changes
    }
}
