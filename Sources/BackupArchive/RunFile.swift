import Foundation
import Glibc

/// Sorted runs of index records on disk: what keeps the index's memory flat in the record
/// count. A run is raw 16-byte records (id, hash; little-endian, as x86-64 and arm64 hold
/// them), sorted by id, written whole and fsync'd.
public enum RunFile {
    /// What went wrong writing or reading index material, naming the file.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, naming the file.
        public var description: String
    }

    /// Sorts `records` and writes them to a new file at `path`.
    static func write(_ records: inout [IndexRecord], to path: String) throws(Failure) {
        records.sort()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if let failure = records.withUnsafeBytes({ writeAll(fd, $0, path: path) }) { throw failure }
        guard fsync(fd) == 0 else { throw Failure(description: "cannot fsync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Writes all of `raw` to `fd`; returns what went wrong, if anything.
    static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer, path: String) -> Failure? {
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
            offset += n
        }
        return nil
    }

    /// Reads a run (or a section of the index) record by record through a 64 KiB buffer.
    final class Reader {
        private let fd: Int32
        private var buffer = [IndexRecord](repeating: IndexRecord(id: 0, hash: 0), count: 4_096)
        private var count = 0
        private var position = 0
        private var fileOffset: Int64
        private var remaining: Int64
        let path: String

        /// Opens `path` to read `length` bytes (all of it when nil) from `offset`.
        init(path: String, offset: Int64 = 0, length: Int64? = nil) throws(Failure) {
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
            self.path = path
            fileOffset = offset
            var info = stat()
            fstat(fd, &info)
            remaining = length ?? (Int64(info.st_size) - offset)
        }

        deinit { close(fd) }

        /// The next record, nil at the end.
        func next() throws(Failure) -> IndexRecord? {
            if position == count {
                guard remaining >= 16 else { return nil }
                let want = Int(min(Int64(buffer.count * 16), remaining / 16 * 16))
                let n = buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress!, want, off_t(fileOffset)) }
                guard n > 0, n % 16 == 0 else { throw Failure(description: "cannot read \(path): \(n < 0 ? String(cString: strerror(errno)) : "it ends early")") }
                fileOffset += Int64(n)
                remaining -= Int64(n)
                count = n / 16
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }
    }

    /// Merges sorted runs into one sorted stream: a k-way merge over the runs' heads.
    final class Merger {
        private var readers: [Reader]
        private var heads: [IndexRecord?]

        init(_ readers: [Reader]) throws(Failure) {
            self.readers = readers
            heads = []
            for reader in readers { heads.append(try reader.next()) }
        }

        func next() throws(Failure) -> IndexRecord? {
            var best: Int? = nil
            for i in heads.indices {
                guard let head = heads[i] else { continue }
                if best == nil || head < heads[best!]! { best = i }
            }
            guard let i = best else { return nil }
            let record = heads[i]
            heads[i] = try readers[i].next()
            return record
        }
    }
}
