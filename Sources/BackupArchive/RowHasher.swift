/// One record of the index: its id (numeric, ``RowHasher/numericID(_:)``) and the hash of its row.
public struct IndexRecord: Sendable, Equatable, Comparable {
    /// The record id (`zcrm_` stripped).
    public var id: UInt64
    /// The 64-bit hash of the row's non-empty (column, value) pairs.
    public var hash: UInt64

    /// A record with `id` and row hash `hash`.
    public init(id: UInt64, hash: UInt64) {
        self.id = id
        self.hash = hash
    }

    /// By id, then by hash.
    public static func < (a: IndexRecord, b: IndexRecord) -> Bool { a.id < b.id || (a.id == b.id && a.hash < b.hash) }
}

/// A ``CSVSink`` that turns a module's CSV file into index records as the bytes stream by:
/// the first row is the header; every later row gives its id (the first field) and a 64-bit
/// hash of its non-empty (column, value) pairs, the column named by its header. An empty
/// value adds nothing, so a new, empty custom field leaves every hash as it was; the pairs are
/// summed, so the order of the columns does not matter either. No row is held in memory.
struct RowHasher: CSVSink {
    /// The header row's fields (each cut at 1 KiB).
    private(set) var header: [String] = []
    /// Records with numeric ids, in file order; the owner drains them (``EntryIndexer``).
    var records: [IndexRecord] = []
    /// Records whose id is not a number (kept by name, up to ``maxOtherIDs``).
    var otherRecords: [(id: String, hash: UInt64)] = []
    /// Rows that gave no record: an empty id, an id too long, or past ``maxOtherIDs``.
    private(set) var skippedRows = 0
    private(set) var problems: [String] = []
    /// The file had no header: its first row was a record.
    private(set) var headerMissing = false
    /// Values of the columns named in `capture` (a few bytes each), per record, for the
    /// attachments' parents and sizes.
    var captured: [[String]] = []

    static let maxOtherIDs = 65_536
    static let maxIDBytes = 64

    private let capture: [String]
    /// Per column of the header: the slot of `capture` it fills, or -1.
    private var captureSlots: [Int] = []
    private var capturing: [String] = []
    private var inHeader = true
    private var column = 0
    private var seeds: [UInt64] = []
    private var fieldHash = FieldHash(seed: 0)
    private var fieldEmpty = true
    private var rowHash: UInt64 = 0
    private var field: [UInt8] = []
    private var fieldTooLong = false

    /// A hasher; `capture` names header columns whose values are kept per record.
    init(capture: [String] = []) {
        self.capture = capture
    }

    @inline(__always)
    mutating func bytes(_ piece: UnsafeRawBufferPointer) {
        if inHeader || column == 0 || (column < captureSlots.count && captureSlots[column] >= 0) {
            let room = (inHeader ? 1_024 : Self.maxIDBytes) - field.count
            if piece.count > room { fieldTooLong = true }
            field.append(contentsOf: piece.prefix(max(room, 0)))
            if inHeader || column == 0 { return }
        }
        guard !piece.isEmpty else { return }
        if fieldEmpty {
            fieldHash = FieldHash(seed: column < seeds.count ? seeds[column] : Self.seed("#\(column)"))
            fieldEmpty = false
        }
        fieldHash.add(piece)
    }

    @inline(__always)
    mutating func endField() {
        if inHeader {
            header.append(String(decoding: field, as: UTF8.self))
        } else {
            if column < captureSlots.count, captureSlots[column] >= 0 { capturing[captureSlots[column]] = String(decoding: field, as: UTF8.self) }
            if column == 0 {
                swap(&idBytes, &field)
                idTooLong = fieldTooLong
            } else if !fieldEmpty {
                rowHash &+= fieldHash.value
            }
        }
        if !field.isEmpty { field.removeAll(keepingCapacity: true) }
        fieldTooLong = false
        fieldEmpty = true
        column += 1
    }

    private var idBytes: [UInt8] = []
    private var idTooLong = false

    mutating func endRow(line: Int) {
        defer {
            column = 0
            rowHash = 0
            idBytes.removeAll(keepingCapacity: true)
        }
        if inHeader {
            inHeader = false
            if let first = header.first, Self.numericID(Array(first.utf8)) != nil {
                // No header: the first row is a record; columns are named by position.
                headerMissing = true
                problems.append("line \(line): no header row (the first row starts with the id \(first)); columns are named by position")
                let row = header
                header = []
                seeds = []
                replay(row, line: line)
                return
            }
            seeds = header.map { Self.seed($0) }
            if !capture.isEmpty {
                captureSlots = header.map { capture.firstIndex(of: $0) ?? -1 }
            }
            capturing = Array(repeating: "", count: capture.count)
            return
        }
        emit(line: line)
    }

    /// Hashes a headerless file's first row (read as the header) as a record.
    private mutating func replay(_ row: [String], line: Int) {
        column = 0
        rowHash = 0
        for value in row {
            let bytes = Array(value.utf8)
            bytes.withUnsafeBytes { self.bytes($0) }
            endField()
        }
        emit(line: line)
    }

    private mutating func emit(line: Int) {
        defer { if !capture.isEmpty { capturing = Array(repeating: "", count: capture.count) } }
        guard !idBytes.isEmpty, !idTooLong else {
            skippedRows += 1
            if problems.count < 20 { problems.append("line \(line): \(idTooLong ? "an id longer than \(Self.maxIDBytes) bytes" : "no id"); the row is not indexed") }
            return
        }
        if let id = Self.numericID(idBytes) {
            records.append(IndexRecord(id: id, hash: rowHash))
        } else if otherRecords.count < Self.maxOtherIDs {
            otherRecords.append((String(decoding: idBytes, as: UTF8.self), rowHash))
        } else {
            skippedRows += 1
            if problems.count < 20 { problems.append("line \(line): more than \(Self.maxOtherIDs) ids that are not numbers; the rest are not indexed") }
            return
        }
        if !capture.isEmpty { captured.append(capturing) }
    }

    /// A Zoho id as a number: digits only, after an optional `zcrm_` prefix, within 64 bits.
    static func numericID(_ bytes: [UInt8]) -> UInt64? {
        var start = 0
        // "zcrm_"
        if bytes.count > 5, bytes[0] == 0x7A, bytes[1] == 0x63, bytes[2] == 0x72, bytes[3] == 0x6D, bytes[4] == 0x5F { start = 5 }
        guard bytes.count > start, bytes.count - start <= 20 else { return nil }
        var value: UInt64 = 0
        for byte in bytes[start...] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            guard !o1, !o2 else { return nil }
            value = plus
        }
        return value
    }

    /// FNV-1a of a column's name and a separator: where a field's hash starts.
    static func seed(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 + [0x1F] {
            h ^= UInt64(byte)
            h &*= 0x100_0000_01B3
        }
        return h
    }

    /// SplitMix64's finalizer: spreads a hash's bits.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
