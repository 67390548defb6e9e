import Foundation
import Glibc

/// Finding one record: whether a backup holds it, from its index alone (a binary search of
/// the module's sorted records), and its row, from the module's CSV files only (each entry
/// inflated once, its CRC-32 checked, no other entry read).
public enum RecordLookup {
    /// What went wrong reading a backup for a record, naming the file.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong, naming the file or entry.
        public var description: String
    }

    /// The row hash of record `id` (`zcrm_` or not) in `module` of `index`, or nil when the
    /// backup does not hold it.
    public static func hash(of id: String, in module: RecordIndexHeader.Module, index: RecordIndex) throws(Failure) -> UInt64? {
        if let number = RowHasher.numericID(Array(id.utf8)) {
            return try search(number, in: module, index: index)
        }
        do { return try index.otherRecords(of: module).first { $0.id == id }?.hash } catch {
            throw Failure(description: "\(index.path): \(error)")
        }
    }

    /// Binary search of the module's numeric records (16 bytes each, sorted by id): about 20
    /// reads of 16 bytes for a million records.
    static func search(_ id: UInt64, in module: RecordIndexHeader.Module, index: RecordIndex) throws(Failure) -> UInt64? {
        let fd = open(index.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Failure(description: "\(index.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var low = 0, high = module.numericRecords
        var record = IndexRecord(id: 0, hash: 0)
        while low < high {
            let mid = low + (high - low) / 2
            let n = withUnsafeMutableBytes(of: &record) { pread(fd, $0.baseAddress!, 16, off_t(module.offset + Int64(mid) * 16)) }
            guard n == 16 else { throw Failure(description: "\(index.path): cannot read record \(mid) of \(module.name)") }
            if record.id == id { return record.hash }
            if record.id < id { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    /// A module's header and the rows of record `id` (more than one when the id repeats), read
    /// from the module's files in the backup folder `folder`; with `column`, the rows whose
    /// value in that column (by header name) is `id` instead — a record's notes and
    /// attachments by `Parent.id`.
    public static func rows(of id: String, module: RecordIndexHeader.Module, folder: String,
                            column: String? = nil) throws(Failure) -> (header: [String], rows: [[String]]) {
        var found = RowFinder(id: id, column: column)
        for file in module.files {
            try inflate(entry: file.name, part: "\(folder)/\(file.part)") { found.feed($0) }
            found.finishFile()
        }
        return (found.header, found.rows)
    }

    /// Streams entry `name` of the zip at `part` to `output`, checking its CRC-32.
    static func inflate(entry name: String, part: String, output: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        let fd = open(part, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Failure(description: "\(part): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(description: "\(part): cannot stat") }
        let size = Int64(info.st_size)
        do {
            var entries = try ZipDirectory.locate(fd: fd, fileSize: size).entries(fd: fd)
            while let entry = try entries.next() {
                guard entry.name == name else { continue }
                _ = try withoutActuallyEscaping(output) { emit in
                    try ZlibEntryChecker().check(entry, fd: fd, fileSize: size, output: emit)
                }
                return
            }
        } catch {
            throw Failure(description: "\(part): \(error)")
        }
        throw Failure(description: "\(part) has no entry \(name) (the index says it has: reindex the backup)")
    }
}

/// Keeps a CSV file's header and the rows whose first field is one id (compared as Zoho ids:
/// `zcrm_` or not), each field cut at 1 MiB; any other row is dropped once its first field
/// is read, so nothing else is held.
struct RowFinder {
    var header: [String] = []
    var rows: [[String]] = []
    private var reader = CSVReader()
    private var collector: Collector

    init(id: String, column: String?) { collector = Collector(id: id, column: column) }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) { reader.feed(bytes, into: &collector) }

    /// The end of one file: its header (the first file's is kept) and its rows.
    mutating func finishFile() {
        reader.finish(into: &collector)
        if header.isEmpty { header = collector.header }
        rows += collector.matching
        reader = CSVReader()
        collector = Collector(id: collector.id, column: collector.column)
    }

    /// The CSV sink.
    struct Collector: CSVSink {
        let id: String
        let number: UInt64?
        /// The column matched (by header name); nil: the first.
        let column: String?
        private var matchIndex = 0
        var header: [String] = []
        var matching: [[String]] = []
        private var inHeader = true
        private var fields: [String] = []
        private var field: [UInt8] = []
        private var keep = true

        init(id: String, column: String?) {
            self.id = id
            self.column = column
            number = RowHasher.numericID(Array(id.utf8))
        }

        mutating func bytes(_ piece: UnsafeRawBufferPointer) {
            guard keep else { return }
            field.append(contentsOf: piece.prefix(max(0, (1 << 20) - field.count)))
        }

        mutating func endField() {
            if keep {
                if !inHeader, fields.count == matchIndex {
                    keep = number.map { RowHasher.numericID(field) == $0 } ?? (String(decoding: field, as: UTF8.self) == id)
                }
                if keep { fields.append(String(decoding: field, as: UTF8.self)) }
            }
            field.removeAll(keepingCapacity: true)
        }

        mutating func endRow(line: Int) {
            if inHeader {
                header = fields
                inHeader = false
                // No such column: no row matches.
                matchIndex = column.map { name in header.firstIndex(of: name) ?? Int.max } ?? 0
            } else if keep, fields.count > matchIndex {
                matching.append(fields)
            }
            fields.removeAll(keepingCapacity: true)
            keep = true
        }
    }
}
