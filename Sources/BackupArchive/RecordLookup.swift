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
        var ids = Restore.IDSet()
        ids.insert(id)
        var header: [String] = [], rows: [[String]] = []
        for file in module.files {
            var sink = RowFilter(column: column, ids: ids)
            var reader = CSVReader()
            try inflate(entry: file.name, part: "\(folder)/\(file.part)") { bytes in
                reader.feed(bytes, into: &sink)
                rows += sink.kept
                sink.kept.removeAll()
            }
            reader.finish(into: &sink)
            rows += sink.kept
            if header.isEmpty { header = sink.header }
        }
        return (header, rows)
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
