/// What changed between two backups, from their record indexes: per module, the records
/// added, deleted and changed (same id, another row hash), the header changes, and the
/// modules that appeared or vanished.
///
/// The two indexes are read side by side, each module's records in id order, a buffer at a
/// time: memory stays flat in the record count.
public struct IndexDiff: Sendable, Equatable, Codable {
    /// One module's changes.
    public struct Module: Sendable, Equatable, Codable {
        /// Whether the module is in both backups, or only one.
        public enum Presence: String, Sendable, Equatable, Codable {
            case both, appeared, vanished
        }

        /// The module, as its files are named.
        public var name: String
        /// Whether it is in both backups, or only one.
        public var presence: Presence
        /// Records in the older backup (0 for a module that appeared).
        public var olderRecords: Int
        /// Records in the newer backup (0 for a module that vanished).
        public var newerRecords: Int
        /// Records only the newer backup has.
        public var added: Int
        /// Records only the older backup has.
        public var deleted: Int
        /// Records in both whose row hash differs: a value changed, appeared or was emptied.
        public var changed: Int
        /// How the header changed (empty when it did not, or when the module is in one backup only).
        public var columns: ColumnChanges
        /// A file of the module could not be read to its end in either backup: the counts are
        /// lower bounds.
        public var incomplete: Bool

        /// `deleted` as a share of the older backup's records (0 when it had none).
        public var deletedShare: Double { olderRecords == 0 ? 0 : Double(deleted) / Double(olderRecords) }
        /// `changed` as a share of the older backup's records (0 when it had none).
        public var changedShare: Double { olderRecords == 0 ? 0 : Double(changed) / Double(olderRecords) }
        /// `added` as a share of the older backup's records (0 when it had none).
        public var addedShare: Double { olderRecords == 0 ? 0 : Double(added) / Double(olderRecords) }
        /// The changed count says which values changed: the header did not change (row hashes
        /// are keyed by column name, so a renamed, removed or filled new column alone changes
        /// the hash of every record with a value in it).
        public var changedIsComparable: Bool { !columns.changesHashes }
        /// Nothing changed in the module.
        public var isUnchanged: Bool { presence == .both && added == 0 && deleted == 0 && changed == 0 && columns.isEmpty }
    }

    /// Which records to list, and how a listed record changed.
    public enum Change: String, Sendable, Equatable, CaseIterable, Codable {
        case added, deleted, changed
    }

    /// Every module of either backup, by name.
    public var modules: [Module]

    /// Compares `older` with `newer`, every module or only those named in `only`. `list`, if
    /// given, is called with each added, deleted or changed record (module, change, id), in
    /// id order within a module (numeric ids first).
    public static func compare(_ older: RecordIndex, _ newer: RecordIndex, only: Set<String>? = nil,
                               list: ((String, Change, String) throws -> Void)? = nil) throws -> IndexDiff {
        let oldModules = Dictionary(older.header.modules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newModules = Dictionary(newer.header.modules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(oldModules.keys).union(newModules.keys).filter { only?.contains($0) ?? true }.sorted()
        var modules: [Module] = []
        for name in names {
            let old = oldModules[name], new = newModules[name]
            var module = Module(name: name, presence: old == nil ? .appeared : new == nil ? .vanished : .both,
                                olderRecords: old?.records ?? 0, newerRecords: new?.records ?? 0, added: 0, deleted: 0, changed: 0,
                                columns: ColumnChanges(from: old?.header ?? new?.header ?? [], to: new?.header ?? old?.header ?? []),
                                incomplete: (old?.incomplete ?? false) || (new?.incomplete ?? false))
            var counter = Counter(module: name, list: list)
            let numericOld = try old.map { try Side(index: older, module: $0) }
            let numericNew = try new.map { try Side(index: newer, module: $0) }
            try counter.merge(numericOld, numericNew)
            try counter.merge(try old.map { try older.otherRecords(of: $0) } ?? [], try new.map { try newer.otherRecords(of: $0) } ?? [])
            module.added = counter.added
            module.deleted = counter.deleted
            module.changed = counter.changed
            modules.append(module)
        }
        return IndexDiff(modules: modules)
    }

    /// One backup's numeric records of one module, read in id order.
    struct Side {
        let reader: RunFile.Reader

        init(index: RecordIndex, module: RecordIndexHeader.Module) throws {
            reader = try RunFile.Reader(path: index.path, offset: module.offset, length: Int64(module.numericRecords) * 16)
        }
    }

    /// Counts (and lists) the differences of two id-ordered streams.
    struct Counter {
        let module: String
        let list: ((String, Change, String) throws -> Void)?
        var added = 0, deleted = 0, changed = 0

        init(module: String, list: ((String, Change, String) throws -> Void)?) {
            self.module = module
            self.list = list
        }

        mutating func note(_ change: Change, _ id: @autoclosure () -> String) throws {
            switch change {
            case .added: added += 1
            case .deleted: deleted += 1
            case .changed: changed += 1
            }
            if let list { try list(module, change, id()) }
        }

        /// The numeric records: two readers, one record of each in hand.
        mutating func merge(_ old: Side?, _ new: Side?) throws {
            var a = try old?.reader.next(), b = try new?.reader.next()
            while a != nil || b != nil {
                if let x = a, b == nil || x.id < b!.id {
                    try note(.deleted, String(x.id))
                    a = try old?.reader.next()
                } else if let y = b, a == nil || y.id < a!.id {
                    try note(.added, String(y.id))
                    b = try new?.reader.next()
                } else if let x = a, let y = b {
                    if x.hash != y.hash { try note(.changed, String(x.id)) }
                    a = try old?.reader.next()
                    b = try new?.reader.next()
                }
            }
        }

        /// The records whose ids are not numbers (a bounded few, already in memory, sorted by id as
        /// the index writer sorts them: `String`'s order).
        mutating func merge(_ old: [(id: String, hash: UInt64)], _ new: [(id: String, hash: UInt64)]) throws {
            var i = 0, j = 0
            while i < old.count || j < new.count {
                if i < old.count, j == new.count || old[i].id < new[j].id {
                    try note(.deleted, old[i].id)
                    i += 1
                } else if j < new.count, i == old.count || new[j].id < old[i].id {
                    try note(.added, new[j].id)
                    j += 1
                } else {
                    if old[i].hash != new[j].hash { try note(.changed, old[i].id) }
                    i += 1
                    j += 1
                }
            }
        }
    }
}
