import Crypto
import Foundation
import Glibc

/// A backup's record index, the file `<backup>/index`: what every module holds, record by
/// record, in at most 16 bytes a record. Not a part: not in `manifest.json` or `SHA256SUMS`;
/// it carries its own checksum, verified on every read (a corrupt index is rebuilt, never
/// trusted).
///
/// Layout (integers little-endian):
/// ```
/// "ZCBINDX1"                      magic, 8 bytes
/// per module, in header order:    numeric records, 16 bytes each (u64 id, u64 row hash), sorted by id;
///                                 then other ids (u16 length, UTF-8 id, u64 row hash), sorted by id
/// attachment parents:             24 bytes each (u64 parent id, u64 attachments, u64 bytes), sorted by id
/// header:                         JSON (``RecordIndexHeader``), offsets from the start of the file
/// u32 header length
/// SHA-256 of every byte before it, 32 bytes
/// ```
public struct RecordIndex: Sendable {
    /// The first 8 bytes of every index.
    public static let magic = Array("ZCBINDX1".utf8)
    /// The file name inside a backup folder.
    public static let fileName = "index"

    /// Where the index file is.
    public let path: String
    /// What the index says about the backup (checked against the checksum).
    public let header: RecordIndexHeader

    /// Why an index cannot be used (it is rebuilt).
    public struct Unusable: Error, Sendable, CustomStringConvertible {
        /// What is wrong, naming the file.
        public var description: String
    }

    /// Reads and checks the index at `path`: the checksum over the whole file first, then the header.
    public init(path: String) throws(Unusable) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw Unusable(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { throw Unusable(description: "\(path) is not a regular file") }
        let size = Int64(info.st_size)
        guard size >= Int64(Self.magic.count + 4 + 32) else { throw Unusable(description: "\(path) is too short to be an index") }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        let body = size - 32
        while offset < body {
            let want = Int(min(Int64(buffer.count), body - offset))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, want, off_t(offset)) }
            guard n > 0 else { throw Unusable(description: "\(path): cannot read at \(offset)") }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += Int64(n)
        }
        let tail = try Self.read(fd, at: body - 4, count: 36, path: path)
        guard Array(hasher.finalize()) == Array(tail[4...]) else { throw Unusable(description: "\(path): the checksum does not match (damaged)") }
        guard try Self.read(fd, at: 0, count: 8, path: path) == Self.magic else { throw Unusable(description: "\(path) is not a record index") }
        let length = Int64(tail[0]) | Int64(tail[1]) << 8 | Int64(tail[2]) << 16 | Int64(tail[3]) << 24
        guard length <= body - 4 - 8 else { throw Unusable(description: "\(path): the header length is impossible") }
        let json = try Self.read(fd, at: body - 4 - length, count: Int(length), path: path)
        let header: RecordIndexHeader
        do { header = try JSONDecoder().decode(RecordIndexHeader.self, from: Data(json)) } catch {
            throw Unusable(description: "\(path): the header is not readable: \(error)")
        }
        guard header.format <= RecordIndexHeader.currentFormat else { throw Unusable(description: "\(path): format \(header.format) is newer than this program") }
        // Numbers from a file are not trusted, even with a matching checksum: every section must lie inside the body.
        let records = body - 4 - length
        func inside(_ offset: Int64, _ count: Int, _ size: Int64, plus extra: Int64 = 0) -> Bool {
            let (bytes, o1) = Int64(count).multipliedReportingOverflow(by: size)
            let (end, o2) = offset.addingReportingOverflow(bytes)
            let (last, o3) = end.addingReportingOverflow(extra)
            return !o1 && !o2 && !o3 && offset >= 8 && count >= 0 && extra >= 0 && last <= records
        }
        guard header.modules.allSatisfy({ inside($0.offset, $0.numericRecords, 16, plus: $0.otherBytes) }),
              inside(header.attachments.offset, header.attachments.parents, 24) else {
            throw Unusable(description: "\(path): the header names sections outside the file")
        }
        self.path = path
        self.header = header
    }

    static func read(_ fd: Int32, at offset: Int64, count: Int, path: String) throws(Unusable) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
        guard n == count else { throw Unusable(description: "\(path): cannot read \(count) bytes at \(offset)") }
        return bytes
    }

    /// The module named `name` (as its files are named).
    public func module(_ name: String) -> RecordIndexHeader.Module? { header.modules.first { $0.name == name } }

    /// Calls `body` with every numeric-id record of `module`, in id order, streaming (64 KiB at a time).
    public func forEachRecord(of module: RecordIndexHeader.Module, _ body: (IndexRecord) throws -> Void) throws {
        let reader = try RunFile.Reader(path: path, offset: module.offset, length: Int64(module.numericRecords) * 16)
        while let record = try reader.next() { try body(record) }
    }

    /// The records of `module` whose ids are not numbers, in id order.
    public func otherRecords(of module: RecordIndexHeader.Module) throws -> [(id: String, hash: UInt64)] {
        guard module.otherBytes > 0 else { return [] }
        let bytes = try section(at: module.offset + Int64(module.numericRecords) * 16, count: Int(module.otherBytes))
        var result: [(String, UInt64)] = []
        var i = 0
        while i + 2 <= bytes.count {
            let length = Int(bytes[i]) | Int(bytes[i + 1]) << 8
            guard i + 2 + length + 8 <= bytes.count else { break }
            let id = String(decoding: bytes[(i + 2)..<(i + 2 + length)], as: UTF8.self)
            let hash = Self.u64(bytes, at: i + 2 + length)
            result.append((id, hash))
            i += 10 + length
        }
        return result
    }

    /// Every parent record with attachments: its id, how many, and their bytes, in id order.
    public func attachmentParents() throws -> [(parent: UInt64, count: UInt64, bytes: UInt64)] {
        let bytes = try section(at: header.attachments.offset, count: header.attachments.parents * 24)
        return stride(from: 0, to: bytes.count, by: 24).map { (Self.u64(bytes, at: $0), Self.u64(bytes, at: $0 + 8), Self.u64(bytes, at: $0 + 16)) }
    }

    /// `count` bytes of the index from `offset` (the header has placed them inside the file).
    private func section(at offset: Int64, count: Int) throws(Unusable) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Unusable(description: "\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        return try Self.read(fd, at: offset, count: count, path: path)
    }

    /// The little-endian u64 at `at`.
    static func u64(_ bytes: [UInt8], at: Int) -> UInt64 {
        bytes[at..<(at + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
