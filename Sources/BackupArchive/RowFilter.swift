import Foundation

/// A CSV sink keeping the header and the rows whose value in one column (by header name; nil:
/// the first) is one of a set of ids; any other row is dropped once that column is read.
struct RowFilter: CSVSink {
    let column: String?
    let ids: Restore.IDSet
    var header: [String] = []
    var kept: [[String]] = []
    /// Ids of the first column found in more than one kept row.
    var repeated: Set<String> = []
    private var seen: Set<String> = []
    private var matchIndex = 0
    private var inHeader = true
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var keep = true

    /// Rows whose own id (first column) is here are dropped.
    let except: Restore.IDSet

    init(column: String?, ids: Restore.IDSet, except: Restore.IDSet = Restore.IDSet()) {
        self.column = column
        self.ids = ids
        self.except = except
    }

    mutating func bytes(_ piece: UnsafeRawBufferPointer) {
        if keep { field.append(contentsOf: piece) }
    }

    mutating func endField() {
        if keep {
            if !inHeader, fields.count == matchIndex { keep = ids.contains(field) }
            if !inHeader, keep, fields.isEmpty, !except.isEmpty, except.contains(field) { keep = false }
            if keep { fields.append(String(decoding: field, as: UTF8.self)) }
        }
        field.removeAll(keepingCapacity: true)
    }

    mutating func endRow(line: Int) {
        if inHeader {
            header = fields
            inHeader = false
            matchIndex = column.map { name in header.firstIndex(of: name) ?? Int.max } ?? 0
        } else if keep, fields.count > matchIndex {
            // A whole module's ids are not remembered (a million records): the index counts its repeats.
            if column == nil, !ids.matchesAll, let id = fields.first, !seen.insert(id).inserted { repeated.insert(id) }
            kept.append(fields)
        }
        fields.removeAll(keepingCapacity: true)
        keep = true
    }
}
