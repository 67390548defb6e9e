import BackupArchive
import Foundation

/// What `diff` shows of two backups (`--json` prints it as is).
public struct BackupComparison: Sendable, Encodable {
    /// One module's changes, with its shares of the older backup's records in percent.
    public struct Module: Sendable, Encodable {
        public var module: String
        /// `both`, `appeared` or `vanished`.
        public var presence: String
        public var older_records: Int
        public var newer_records: Int
        public var added: Int
        public var deleted: Int
        public var changed: Int
        public var added_percent: Double
        public var deleted_percent: Double
        public var changed_percent: Double
        /// False when the header changed (a column renamed, removed or added): every record with
        /// a value in such a column counts as changed, whether or not it was edited.
        public var changed_comparable: Bool
        public var columns_added: [String]
        public var columns_removed: [String]
        public var columns_renamed: [ColumnChanges.Rename]
        /// The header changes in words (`column Email renamed to E-mail address; 1 column added (Region)`); nil: none.
        public var columns_summary: String?
        /// A file of the module could not be read to its end in one of the backups: counts are lower bounds.
        public var incomplete: Bool

        init(_ m: IndexDiff.Module) {
            func percent(_ share: Double) -> Double { (share * 10_000).rounded() / 100 }
            module = m.name
            presence = m.presence.rawValue
            older_records = m.olderRecords
            newer_records = m.newerRecords
            added = m.added
            deleted = m.deleted
            changed = m.changed
            added_percent = percent(m.addedShare)
            deleted_percent = percent(m.deletedShare)
            changed_percent = percent(m.changedShare)
            changed_comparable = m.changedIsComparable
            columns_added = m.columns.added
            columns_removed = m.columns.removed
            columns_renamed = m.columns.renamed
            columns_summary = m.columns.isEmpty ? nil : m.columns.summary
            incomplete = m.incomplete
        }
    }

    public var org: String
    public var older: String
    public var older_job_id: String
    public var older_completed_at: Date
    public var newer: String
    public var newer_job_id: String
    public var newer_completed_at: Date
    public var modules: [Module]

    /// The comparison itself, as the alarm reads it.
    public let diff: IndexDiff

    enum CodingKeys: String, CodingKey {
        case org, older, older_job_id, older_completed_at, newer, newer_job_id, newer_completed_at, modules
    }
}

/// How a record differs between two backups (what `diff --list` names).
public enum RecordChange: String, Sendable, Equatable, CaseIterable {
    /// Only the newer backup has it.
    case added
    /// Only the older backup has it.
    case deleted
    /// Both have it, with other values.
    case changed
}

/// Why two backups could not be compared.
public struct DiffFailure: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the backup and what to do.
    public var description: String
}

extension OrgArchive {
    /// Compares two backups of this org by their record indexes (each checked by its checksum).
    /// `modules` limits it to those modules; `list` receives every added, deleted or changed
    /// record (module, change, id) as the indexes are read.
    public func diff(_ older: BackupSummary, _ newer: BackupSummary, modules: Set<String>? = nil,
                     list: ((String, RecordChange, String) throws -> Void)? = nil) throws(DiffFailure) -> BackupComparison {
        func index(_ backup: BackupSummary) throws(DiffFailure) -> RecordIndex {
            switch folder.index(of: backup.archived) {
            case .success(let index): return index
            case .failure(let problem):
                throw DiffFailure(description: "[\(folder.org)] \(backup.name): no usable record index (\(problem.description)); build it with: zoho-crm-backup reindex \(backup.name)")
            }
        }
        let old = try index(older), new = try index(newer)
        let diff: IndexDiff
        let listed = list.map { list in { (module: String, change: IndexDiff.Change, id: String) throws in try list(module, RecordChange(rawValue: change.rawValue)!, id) } }
        do { diff = try IndexDiff.compare(old, new, only: modules, list: listed) } catch let error as DiffFailure { throw error } catch {
            throw DiffFailure(description: "[\(folder.org)] comparing \(older.name) with \(newer.name): \(error)")
        }
        return BackupComparison(org: folder.org, older: older.name, older_job_id: older.jobID, older_completed_at: older.completedAt,
                                newer: newer.name, newer_job_id: newer.jobID, newer_completed_at: newer.completedAt,
                                modules: diff.modules.map(BackupComparison.Module.init), diff: diff)
    }
}
