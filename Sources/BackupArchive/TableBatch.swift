/// Rows as a restore into a database or workbook hands them on: every field's bytes (UTF-8,
/// as in the CSV) in one buffer, with where each field and each row ends — no string or array
/// per row (a million rows). Valid only during the call that receives it.
public struct TableBatch {
    let bytes: UnsafeRawBufferPointer
    /// The end of each field in ``bytes``.
    let ends: UnsafeBufferPointer<Int>
    /// For each row, the index in ``ends`` after its last field.
    let rowEnds: UnsafeBufferPointer<Int>

    /// How many rows.
    public var count: Int { rowEnds.count }

    /// Row `r`.
    public subscript(r: Int) -> TableRow {
        let first = r == 0 ? 0 : rowEnds[r - 1]
        return TableRow(bytes: bytes, ends: UnsafeBufferPointer(rebasing: ends[first..<rowEnds[r]]), start: first == 0 ? 0 : ends[first - 1])
    }

    /// Calls `body` with `rows` as a batch.
    public static func with<E: Error>(_ rows: [[String]], _ body: (TableBatch) throws(E) -> Void) throws(E) {
        var flat = FlatRows()
        for row in rows {
            for field in row {
                flat.bytes.append(contentsOf: field.utf8)
                flat.ends.append(flat.bytes.count)
            }
            flat.rowEnds.append(flat.ends.count)
        }
        try flat.withBatch(body)
    }
}

/// One row of a ``TableBatch``.
public struct TableRow {
    let bytes: UnsafeRawBufferPointer
    let ends: UnsafeBufferPointer<Int>
    let start: Int

    /// How many fields.
    public var count: Int { ends.count }

    /// Field `i`'s bytes.
    public subscript(i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(i == 0 ? start : ends[i - 1])..<ends[i]])
    }

    /// Field `i` as a string.
    public func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }

    /// Every field as a string.
    public var strings: [String] { (0..<count).map(string) }
}

/// Rows kept flat: the buffers behind a ``TableBatch``.
struct FlatRows {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var rowEnds: [Int] = []

    /// Calls `body` with the complete rows.
    func withBatch<E: Error>(_ body: (TableBatch) throws(E) -> Void) throws(E) {
        var failure: E?
        bytes.withUnsafeBytes { b in
            ends.withUnsafeBufferPointer { e in
                rowEnds.withUnsafeBufferPointer { r in
                    do throws(E) { try body(TableBatch(bytes: b, ends: e, rowEnds: r)) } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
    }

    /// Drops the complete rows, keeping the row in progress (its bytes moved to the front).
    mutating func dropCompleteRows() {
        guard let last = rowEnds.last else { return }
        let cut = last == 0 ? 0 : ends[last - 1]
        bytes.removeSubrange(0..<cut)
        ends.removeSubrange(0..<last)
        for i in ends.indices { ends[i] -= cut }
        rowEnds.removeAll(keepingCapacity: true)
    }
}

/// A ``CSVSink`` keeping a file's header as strings and its rows flat, for a whole module.
struct FlatRowSink: CSVSink {
    var header: [String] = []
    var rows = FlatRows()
    private var headerDone = false
    private var field: [UInt8] = []

    mutating func bytes(_ piece: UnsafeRawBufferPointer) {
        if headerDone { rows.bytes.append(contentsOf: piece) } else { field.append(contentsOf: piece) }
    }

    mutating func endField() {
        if headerDone { rows.ends.append(rows.bytes.count) } else {
            header.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
    }

    mutating func endRow(line: Int) {
        if headerDone { rows.rowEnds.append(rows.ends.count) } else { headerDone = true }
    }
}
