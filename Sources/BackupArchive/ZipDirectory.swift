import Foundation
import Glibc

/// One entry of a zip's central directory: where its data starts and what it must inflate to.
public struct ZipEntry: Sendable, Equatable {
    /// The entry's path inside the zip, as the directory records it.
    public var name: String
    /// The compression method: 0 stored, 8 deflate (the only two verified).
    public var method: UInt16
    /// The general-purpose bit flags; bit 0 (encrypted) makes the entry unverifiable.
    public var flags: UInt16
    /// The CRC-32 the directory records for the entry's uncompressed bytes.
    public var crc32: UInt32
    /// Bytes of the entry's data in the file (from the zip64 field when the 32-bit one overflowed).
    public var compressedSize: Int64
    /// Bytes the entry must inflate to.
    public var uncompressedSize: Int64
    /// Where the entry's local header starts in the file, in bytes.
    public var localHeaderOffset: Int64
    /// The central directory's "version made by" (its high byte 3: made on Unix).
    public var madeBy: UInt16 = 0
    /// The central directory's external attributes (on Unix, the file mode in the high 16 bits).
    public var externalAttributes: UInt32 = 0

    /// A symbolic link (made on Unix with the link mode), which a restore never follows or makes.
    public var isSymlink: Bool { madeBy >> 8 == 3 && (externalAttributes >> 16) & 0o170000 == 0o120000 }
}

/// A zip file's central directory, located but not loaded: ``entries(fd:)`` streams it in
/// directory order through a small window, so memory stays flat in the entry count. Zip64 is
/// understood. Every number read is untrusted: sizes and offsets beyond 2^63, an offset plus
/// a size that overflows, or a directory outside the file are refused, never trapped on.
struct ZipDirectory {
    /// More entries than any Zoho part holds by far; a directory claiming more is refused
    /// before it is read.
    static let maxEntries = 1_000_000

    /// Entries, as the end record says.
    let count: Int
    /// Where the directory starts and how long it is.
    let offset: Int64
    let size: Int64

    /// Why a file is not a readable zip.
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Finds the central directory of the zip open as `fd` (`fileSize` bytes).
    static func locate(fd: Int32, fileSize: Int64) throws(Failure) -> ZipDirectory {
        guard fileSize >= 22 else { throw Failure(description: "too short to be a zip (\(fileSize) bytes)") }
        let tailLength = Int(min(fileSize, 65_557))
        let tail = try pread(fd, at: fileSize - Int64(tailLength), count: tailLength)
        guard let eocd = (0...(tailLength - 22)).reversed().first(where: { tail.u32($0) == 0x0605_4B50 }) else {
            throw Failure(description: "no end-of-central-directory record: the file is cut off or not a zip")
        }
        var count = Int64(tail.u16(eocd + 10))
        var cdSize = Int64(tail.u32(eocd + 12))
        var cdOffset = Int64(tail.u32(eocd + 16))
        let hasLocator = eocd >= 20 && tail.u32(eocd - 20) == 0x0706_4B50
        // Exactly 65,535 entries written without zip64 records (Python's zipfile does): the
        // 16-bit count is the count.
        let plain65535 = count == 0xFFFF && cdSize != 0xFFFF_FFFF && cdOffset != 0xFFFF_FFFF && !hasLocator
        if !plain65535, count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // Zip64: the locator sits just before the end record.
            guard hasLocator else { throw Failure(description: "zip64 locator missing") }
            guard let recordOffset = Int64(exactly: tail.u64(eocd - 12)), recordOffset >= 0, recordOffset <= fileSize - 56 else {
                throw Failure(description: "the zip64 locator points outside the file")
            }
            let record = try pread(fd, at: recordOffset, count: 56)
            guard record.u32(0) == 0x0606_4B50 else { throw Failure(description: "zip64 end record missing") }
            guard let c = Int64(exactly: record.u64(32)), let s = Int64(exactly: record.u64(40)), let o = Int64(exactly: record.u64(48)) else {
                throw Failure(description: "the central directory lies outside the file")
            }
            (count, cdSize, cdOffset) = (c, s, o)
        }
        guard count <= maxEntries else {
            throw Failure(description: "the central directory claims \(count) entries; more than \(maxEntries) are refused")
        }
        let (cdEnd, overflowed) = cdOffset.addingReportingOverflow(cdSize)
        guard !overflowed, cdOffset >= 0, cdSize >= 0, cdEnd <= fileSize else {
            throw Failure(description: "the central directory lies outside the file")
        }
        return ZipDirectory(count: Int(count), offset: cdOffset, size: cdSize)
    }

    /// Streams the entries in directory order.
    func entries(fd: Int32) -> Reader { Reader(fd: fd, directory: self) }

    /// Reads one entry at a time through a window of at most a few hundred KiB (one record's
    /// largest possible size).
    struct Reader {
        let fd: Int32
        let directory: ZipDirectory
        private var window: [UInt8] = []
        private var position = 0            // next unread byte of `window`
        private var nextRead: Int64          // file offset of the byte after `window`
        private(set) var index = 0           // entries returned so far

        init(fd: Int32, directory: ZipDirectory) {
            self.fd = fd
            self.directory = directory
            nextRead = directory.offset
        }

        /// Makes `n` unread bytes available, reading at least 64 KiB at a time; false at the
        /// directory's end.
        private mutating func fill(_ n: Int) throws(Failure) -> Bool {
            let available = window.count - position
            if available >= n { return true }
            let end = directory.offset + directory.size
            let want = min(Int64(max(n - available, 64 * 1024)), end - nextRead)
            guard want >= Int64(n - available) else { return false }
            window = Array(window[position...]) + (try ZipDirectory.pread(fd, at: nextRead, count: Int(want)))
            position = 0
            nextRead += want
            return true
        }

        /// The next entry, or nil after the last one the end record counts.
        mutating func next() throws(Failure) -> ZipEntry? {
            guard index < directory.count else { return nil }
            let number = index + 1
            guard try fill(46), window.u32(position) == 0x0201_4B50 else { throw Failure(description: "central directory entry \(number) is damaged") }
            let p = position
            let nameLength = Int(window.u16(p + 28)), extraLength = Int(window.u16(p + 30)), commentLength = Int(window.u16(p + 32))
            let recordLength = 46 + nameLength + extraLength + commentLength
            guard try fill(recordLength) else { throw Failure(description: "central directory entry \(number) runs past its end") }
            let r = position
            var entry = ZipEntry(
                name: String(decoding: window[(r + 46)..<(r + 46 + nameLength)], as: UTF8.self),
                method: window.u16(r + 10), flags: window.u16(r + 8), crc32: window.u32(r + 16),
                compressedSize: Int64(window.u32(r + 20)), uncompressedSize: Int64(window.u32(r + 24)),
                localHeaderOffset: Int64(window.u32(r + 42)), madeBy: window.u16(r + 4), externalAttributes: window.u32(r + 38))
            // Zip64 extended information: only the fields that overflowed, in this order.
            var q = r + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = window.u16(q), length = Int(window.u16(q + 2))
                if id == 0x0001 {
                    var f = q + 4
                    let fieldsEnd = min(q + 4 + length, extraEnd)
                    func next64() throws(Failure) -> Int64 {
                        defer { f += 8 }
                        guard let value = Int64(exactly: window.u64(f)) else {
                            throw Failure(description: "central directory entry \(number) has a zip64 size or offset beyond 2^63")
                        }
                        return value
                    }
                    if entry.uncompressedSize == 0xFFFF_FFFF, f + 8 <= fieldsEnd { entry.uncompressedSize = try next64() }
                    if entry.compressedSize == 0xFFFF_FFFF, f + 8 <= fieldsEnd { entry.compressedSize = try next64() }
                    if entry.localHeaderOffset == 0xFFFF_FFFF, f + 8 <= fieldsEnd { entry.localHeaderOffset = try next64() }
                }
                q += 4 + length
            }
            position += recordLength
            index += 1
            return entry
        }
    }

    /// Exactly `count` bytes at `offset`.
    static func pread(_ fd: Int32, at offset: Int64, count: Int) throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure(description: n == 0 ? "the file ends early" : "read failed: \(String(cString: strerror(errno)))") }
            done += n
        }
        return buffer
    }
}

extension Array where Element == UInt8 {
    func u16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    func u32(_ i: Int) -> UInt32 { UInt32(u16(i)) | UInt32(u16(i + 2)) << 16 }
    func u64(_ i: Int) -> UInt64 { UInt64(u32(i)) | UInt64(u32(i + 4)) << 32 }
}
