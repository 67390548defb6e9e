import CZlibShim
import Foundation
import Glibc

/// Checks a zip the way `unzip -t` does, faster: the central directory is read, every entry
/// is inflated with zlib (raw deflate) or read as stored, and its CRC-32 and size are compared
/// with the directory's. Entries are checked on several tasks at once, each with its own file
/// descriptor. Memory stays at a few buffers per task, whatever the file size.
public enum ZipVerifier {
    /// What a verified zip holds.
    public struct Summary: Sendable, Equatable {
        public var entries: Int
        public var uncompressedBytes: Int64
        /// What is legal but worth a line in the journal (an unusual compression ratio), naming the entry.
        public var warnings: [String] = []
    }

    /// The first problem found, naming the entry.
    public struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        public var entry: String?
        public var problem: String
        public var description: String { entry.map { "entry \($0): \(problem)" } ?? problem }
    }

    /// Verifies the zip at `path` using up to `parallelism` tasks.
    public static func verify(path: String, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount) async throws(Failure) -> Summary {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let directory: ZipDirectory
        do { directory = try ZipDirectory.read(fd: fd, size: Int64(info.st_size)) } catch {
            throw Failure(problem: error.description)
        }
        guard !directory.entries.isEmpty else { throw Failure(problem: "the zip has no entries") }
        // Largest first, spread over the tasks, so both cores stay busy on a few big entries.
        let lanes = max(1, min(parallelism, directory.entries.count))
        var groups = [[ZipDirectory.Entry]](repeating: [], count: lanes)
        var loads = [Int64](repeating: 0, count: lanes)
        for entry in directory.entries.sorted(by: { $0.compressedSize > $1.compressedSize }) {
            let lane = loads.indices.min { loads[$0] < loads[$1] } ?? 0
            groups[lane].append(entry)
            loads[lane] += entry.compressedSize
        }
        let size = Int64(info.st_size)
        let result: Result<Int64, Failure> = await withTaskGroup(of: Result<Int64, Failure>.self) { group in
            for entries in groups where !entries.isEmpty {
                group.addTask {
                    let laneFD = open(path, O_RDONLY | O_CLOEXEC)
                    guard laneFD >= 0 else { return .failure(Failure(problem: "cannot open: \(String(cString: strerror(errno)))")) }
                    defer { close(laneFD) }
                    var total: Int64 = 0
                    for entry in entries {
                        do throws(Failure) {
                            // Each size is bounded by the bytes inflated; the sum is checked all the same.
                            let (sum, overflowed) = total.addingReportingOverflow(try check(entry, fd: laneFD, fileSize: size))
                            guard !overflowed else { return .failure(Failure(problem: "the entries' sizes add up beyond 2^63")) }
                            total = sum
                        } catch { return .failure(error) }
                        if Task.isCancelled { break }
                    }
                    return .success(total)
                }
            }
            var total: Int64 = 0
            for await lane in group {
                switch lane {
                case .success(let n):
                    let (sum, overflowed) = total.addingReportingOverflow(n)
                    if overflowed { return .failure(Failure(problem: "the entries' sizes add up beyond 2^63")) }
                    total = sum
                case .failure(let failure):
                    group.cancelAll()
                    return .failure(failure)
                }
            }
            return .success(total)
        }
        switch result {
        case .success(let bytes): return Summary(entries: directory.entries.count, uncompressedBytes: bytes)
        case .failure(let failure): throw failure
        }
    }

    /// Inflates (or reads) one entry and compares CRC-32 and size; returns its size.
    static func check(_ entry: ZipDirectory.Entry, fd: Int32, fileSize: Int64) throws(Failure) -> Int64 {
        func fail(_ problem: String) -> Failure { Failure(entry: entry.name, problem: problem) }
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
        func readNext() throws(Failure) -> Int {
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
                input.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
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
