/// How a module's header changed between two backups: columns added, removed, and renamed.
///
/// A rename is a column whose name changed in place: the two headers have the same length
/// and differ only at some positions, and neither name is found elsewhere in the other header
/// (Zoho exports a module's columns in its layout's order, and renaming a field keeps its
/// place). Any other difference is a removal and an addition. A header written in another
/// language is a rename of every column.
public struct ColumnChanges: Sendable, Equatable, Codable {
    /// A column renamed in place.
    public struct Rename: Sendable, Equatable, Codable {
        /// Its name in the older backup.
        public var from: String
        /// Its name in the newer backup.
        public var to: String

        /// A rename of `from` to `to`.
        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// Columns only the newer header has (renames not included).
    public var added: [String]
    /// Columns only the older header has (renames not included).
    public var removed: [String]
    /// Columns renamed in place.
    public var renamed: [Rename]

    /// Nothing changed.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && renamed.isEmpty }

    /// True when the header change alone may change row hashes, so a changed count is not a
    /// count of edits: a column holding values was renamed or removed (hashes are keyed by
    /// column name), or a column was added — empty, it changes nothing, but a field Zoho fills
    /// for every record (a formula, a system field) changes every hash at once.
    public var changesHashes: Bool { !isEmpty }

    /// Changes as recorded.
    public init(added: [String], removed: [String], renamed: [Rename]) {
        self.added = added
        self.removed = removed
        self.renamed = renamed
    }

    /// The changes from `older` to `newer`.
    public init(from older: [String], to newer: [String]) {
        let oldSet = Set(older), newSet = Set(newer)
        var renamed: [Rename] = []
        if older.count == newer.count {
            let differing = older.indices.filter { older[$0] != newer[$0] }
            if differing.allSatisfy({ !newSet.contains(older[$0]) && !oldSet.contains(newer[$0]) }) {
                renamed = differing.map { Rename(from: older[$0], to: newer[$0]) }
            }
        }
        let renamedFrom = Set(renamed.map(\.from)), renamedTo = Set(renamed.map(\.to))
        added = newer.filter { !oldSet.contains($0) && !renamedTo.contains($0) }
        removed = older.filter { !newSet.contains($0) && !renamedFrom.contains($0) }
        self.renamed = renamed
    }

    /// One phrase for a report: `column Phone renamed to Mobile; 1 column added (Region)`.
    public var summary: String {
        var parts: [String] = []
        if !renamed.isEmpty {
            parts.append(renamed.count == 1 ? "column \(renamed[0].from) renamed to \(renamed[0].to)"
                         : "\(renamed.count) columns renamed (\(renamed.prefix(3).map { "\($0.from) → \($0.to)" }.joined(separator: ", "))\(renamed.count > 3 ? ", …" : ""))")
        }
        func listed(_ names: [String], _ verb: String) {
            guard !names.isEmpty else { return }
            parts.append("\(names.count) column\(names.count == 1 ? "" : "s") \(verb) (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : ""))")
        }
        listed(added, "added")
        listed(removed, "removed")
        return parts.joined(separator: "; ")
    }
}
