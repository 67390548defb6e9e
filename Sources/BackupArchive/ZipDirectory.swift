import Foundation
import Glibc

/// A zip file's central directory: every entry with where its data starts and what it must
/// inflate to. Zip64 is understood.
struct ZipDirectory {
    struct Entry: Sendable {
        var name: String
        var method: UInt16
        var flags: UInt16
        var crc32: UInt32
        var compressedSize: Int64
        var uncompressedSize: Int64
        var localHeaderOffset: Int64
    }

    var entries: [Entry]

    /// Why a file is not a readable zip.
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Reads the central directory of the zip open as `fd` (`size` bytes).
    static func read(fd: Int32, size: Int64) throws(Failure) -> ZipDirectory {
        guard size >= 22 else { throw Failure(description: "too short to be a zip (\(size) bytes)") }
        let tailLength = Int(min(size, 65_557))
        let tail = try pread(fd, at: size - Int64(tailLength), count: tailLength)
        guard let eocd = (0...(tailLength - 22)).reversed().first(where: { tail.u32($0) == 0x0605_4B50 }) else {
            throw Failure(description: "no end-of-central-directory record: the file is cut off or not a zip")
        }
        var count = Int64(tail.u16(eocd + 10))
        var cdSize = Int64(tail.u32(eocd + 12))
        var cdOffset = Int64(tail.u32(eocd + 16))
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // Zip64: the locator sits just before the end record.
            guard eocd >= 20, tail.u32(eocd - 20) == 0x0706_4B50 else { throw Failure(description: "zip64 locator missing") }
            guard let recordOffset = Int64(exactly: tail.u64(eocd - 12)), recordOffset <= size - 56 else {
                throw Failure(description: "the zip64 locator points outside the file")
            }
            let record = try pread(fd, at: recordOffset, count: 56)
            guard record.u32(0) == 0x0606_4B50 else { throw Failure(description: "zip64 end record missing") }
            guard let c = Int64(exactly: record.u64(32)), let s = Int64(exactly: record.u64(40)), let o = Int64(exactly: record.u64(48)) else {
                throw Failure(description: "the central directory lies outside the file")
            }
            (count, cdSize, cdOffset) = (c, s, o)
        }
        let (cdEnd, overflowed) = cdOffset.addingReportingOverflow(cdSize)
        guard !overflowed, cdOffset >= 0, cdSize >= 0, cdEnd <= size, cdSize < 1 << 31 else {
            throw Failure(description: "the central directory lies outside the file")
        }
        let cd = try pread(fd, at: cdOffset, count: Int(cdSize))
        var entries: [Entry] = []
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= cd.count, cd.u32(p) == 0x0201_4B50 else { throw Failure(description: "central directory entry \(entries.count + 1) is damaged") }
            let nameLength = Int(cd.u16(p + 28)), extraLength = Int(cd.u16(p + 30)), commentLength = Int(cd.u16(p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= cd.count else { throw Failure(description: "central directory entry \(entries.count + 1) runs past its end") }
            var entry = Entry(
                name: String(decoding: cd[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self),
                method: cd.u16(p + 10), flags: cd.u16(p + 8), crc32: cd.u32(p + 16),
                compressedSize: Int64(cd.u32(p + 20)), uncompressedSize: Int64(cd.u32(p + 24)),
                localHeaderOffset: Int64(cd.u32(p + 42)))
            // Zip64 extended information: only the fields that overflowed, in this order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = cd.u16(q), length = Int(cd.u16(q + 2))
                if id == 0x0001 {
                    var r = q + 4
                    func next() throws(Failure) -> Int64 {
                        defer { r += 8 }
                        guard let value = Int64(exactly: cd.u64(r)) else {
                            throw Failure(description: "central directory entry \(entries.count + 1) has a zip64 size or offset beyond 2^63")
                        }
                        return value
                    }
                    if entry.uncompressedSize == 0xFFFF_FFFF, r + 8 <= q + 4 + length { entry.uncompressedSize = try next() }
                    if entry.compressedSize == 0xFFFF_FFFF, r + 8 <= q + 4 + length { entry.compressedSize = try next() }
                    if entry.localHeaderOffset == 0xFFFF_FFFF, r + 8 <= q + 4 + length { entry.localHeaderOffset = try next() }
                }
                q += 4 + length
            }
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        return ZipDirectory(entries: entries)
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
