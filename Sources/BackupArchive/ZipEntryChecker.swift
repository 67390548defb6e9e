import CZlibShim
import Foundation
import Glibc

/// Checks one zip entry: inflates (or reads) it and compares its CRC-32 and size with the
/// directory's. Runs on a ``VerifyLanes`` thread, so it may block; tests stand one in that
/// does.
public protocol ZipEntryChecker: Sendable {
    /// Checks `entry` of the zip open as `fd` (`fileSize` bytes), handing what it inflates to
    /// `output` as it goes; returns its size.
    func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64, output: ((UnsafeRawBufferPointer) -> Void)?) throws(ZipVerifier.Failure) -> Int64
}

extension ZipEntryChecker {
    /// Checks `entry` without passing its bytes on.
    public func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64) throws(ZipVerifier.Failure) -> Int64 {
        try check(entry, fd: fd, fileSize: fileSize, output: nil)
    }
}

/// The real checker: zlib's raw inflate (or stored bytes), CRC-32 and size. An entry that
/// inflates past its declared size fails as soon as the output passes it.
public struct ZlibEntryChecker: ZipEntryChecker {
    /// Makes the checker; it holds no state, so one serves every lane.
    public init() {}

    /// Inflates (or reads) one entry, handing the bytes to `output`, and compares CRC-32 and
    /// size; returns its size.
    public func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64, output: ((UnsafeRawBufferPointer) -> Void)?) throws(ZipVerifier.Failure) -> Int64 {
        func fail(_ problem: String) -> ZipVerifier.Failure { ZipVerifier.Failure(entry: entry.name, problem: problem) }
        let emit = output
        guard entry.flags & 1 == 0 else { throw fail("encrypted entries cannot be verified") }
        guard entry.localHeaderOffset >= 0, entry.localHeaderOffset <= fileSize - 30 else { throw fail("its local header lies outside the file") }
        let header: [UInt8]
        do { header = try ZipDirectory.pread(fd, at: entry.localHeaderOffset, count: 30) } catch { throw fail("local header: \(error.description)") }
        guard header.u32(0) == 0x0403_4B50 else { throw fail("local header missing at offset \(entry.localHeaderOffset)") }
        let dataStart = entry.localHeaderOffset + 30 + Int64(header.u16(26)) + Int64(header.u16(28))
        let (dataEnd, overflowed) = dataStart.addingReportingOverflow(entry.compressedSize)
        guard !overflowed, entry.compressedSize >= 0, dataEnd <= fileSize else { throw fail("its data runs past the end of the file") }

        var crc = CRC32()
        var produced: Int64 = 0
        let chunk = 256 * 1024
        var input = [UInt8](repeating: 0, count: chunk)
        var position = dataStart
        var remaining = entry.compressedSize
        func readNext() throws(ZipVerifier.Failure) -> Int {
            let want = Int(min(Int64(chunk), remaining))
            guard want > 0 else { return 0 }
            let n = input.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress!, want, off_t(position)) }
            guard n > 0 else { throw fail(n == 0 ? "the file ends early" : "read failed: \(String(cString: strerror(errno)))") }
            position += Int64(n)
            remaining -= Int64(n)
            return n
        }

        switch entry.method {
        case 0:
            while remaining > 0 {
                let n = try readNext()
                input.withUnsafeBytes {
                    crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
                    emit?(UnsafeRawBufferPointer(rebasing: $0[0..<n]))
                }
                produced += Int64(n)
            }
        case 8:
            var stream = z_stream()
            guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw fail("zlib could not start") }
            defer { inflateEnd(&stream) }
            var output = [UInt8](repeating: 0, count: chunk)
            var status = Z_OK
            while status != Z_STREAM_END {
                let n = try readNext()
                if n == 0, stream.avail_in == 0 { throw fail("the compressed data ends before the deflate stream does") }
                // Feed this chunk, draining the output as it fills; zlib errors are thrown below.
                var overflow = false
                input.withUnsafeMutableBytes { raw in
                    stream.next_in = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = uInt(n)
                    repeat {
                        let made = output.withUnsafeMutableBytes { out -> Int in
                            stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                            stream.avail_out = uInt(out.count)
                            status = inflate(&stream, Z_NO_FLUSH)
                            let made = out.count - Int(stream.avail_out)
                            crc.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<made]))
                            emit?(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(out)[0..<made]))
                            return made
                        }
                        produced += Int64(made)
                        if produced > entry.uncompressedSize { overflow = true }
                    } while stream.avail_out == 0 && status != Z_STREAM_END && (status == Z_OK || status == Z_BUF_ERROR) && !overflow
                }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    throw fail("the deflate data is corrupt (zlib \(status))")
                }
                if overflow { throw fail("inflates to more than its \(entry.uncompressedSize) bytes") }
            }
            if stream.avail_in != 0 || remaining != 0 { throw fail("data continues after the deflate stream ends") }
        default:
            throw fail("compression method \(entry.method) is not supported (only stored and deflate)")
        }
        guard produced == entry.uncompressedSize else {
            throw fail("inflates to \(produced) bytes, the directory says \(entry.uncompressedSize)")
        }
        guard crc.value == entry.crc32 else {
            throw fail(String(format: "CRC-32 mismatch: computed %08x, the directory says %08x", crc.value, entry.crc32))
        }
        return produced
    }
}

/// A checker that reaches the named point `verify.entry` before each entry (crash and hold
/// tests), then checks it with `base`.
struct FaultingChecker: ZipEntryChecker {
    let base: any ZipEntryChecker
    let faults: FaultPoints

    func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64, output: ((UnsafeRawBufferPointer) -> Void)?) throws(ZipVerifier.Failure) -> Int64 {
        do { try faults.injected(.verifyEntry) } catch {
            throw ZipVerifier.Failure(entry: entry.name, problem: error.description)
        }
        return try base.check(entry, fd: fd, fileSize: fileSize, output: output)
    }
}
