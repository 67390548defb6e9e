import Crypto
import Foundation
import Glibc
import ZohoModel

/// Streams one part into its `.partial` file, hashing as the bytes arrive.
///
/// A file already there (a download cut off by a crash, a restart or a reset) is resumed:
/// its bytes are hashed once and only the rest is fetched. A server that ignores the range
/// (starts again at byte 0) makes the file start again. Before the first byte, the free
/// space must hold what is left of the part plus `min_free`.
struct PartDownload {
    let org: String
    let jobID: String
    let minFree: ByteSize
    let faults: FaultPoints

    struct Result: Sendable, Equatable {
        var size: Int64
        var sha256: String
        /// Bytes that were already on disk when this download started.
        var resumedFrom: Int64
    }

    func run(_ part: PartRef, into path: String, from source: any PartSource) async throws(ArchiveError) -> Result {
        let file = part.fileName
        func ioError(_ code: Int32, _ what: String) -> ArchiveError {
            .io(code, path: path, doing: what, org: org, jobID: jobID, file: file)
        }
        // Never through a symbolic link someone left in `.partial/`.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ioError(errno, "create") }
        defer { close(fd) }

        // What is already here: hash it once, and append after it.
        var hasher = SHA256()
        var written: Int64
        switch FileDigest.update(&hasher, readingFrom: fd) {
        case .success(let bytes): written = bytes
        case .failure(let failure): throw ioError(failure.code, "read back")
        }
        let resumedFrom = written
        var total: Int64?
        var spaceChecked = false
        var chunks = 0
        /// Where the free space was last checked, for an answer without a length.
        var checkedAt: Int64 = -1

        do {
            try await source.fetch(part, from: written) { start, announced, bytes in
                if chunks == 0, start != written {
                    guard start == 0 else {
                        throw ArchiveError(.sizeMismatch, org: org, jobID: jobID, file: file,
                                           detail: "the server sent bytes from \(start) when \(written) were on disk",
                                           remedy: "The part is fetched again from the start")
                    }
                    // The server ignored the range: start the file again.
                    guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw ioError(errno, "truncate") }
                    hasher = SHA256()
                    written = 0
                    spaceChecked = false
                }
                if !spaceChecked {
                    // Once per stream, before its first byte.
                    total = announced
                    if let announced {
                        // The server's number: what is left plus min_free must not overflow.
                        let (left, o1) = announced.subtractingReportingOverflow(start)
                        let (needed, o2) = left.addingReportingOverflow(minFree.bytes)
                        guard !o1, !o2, left >= 0 else {
                            throw ArchiveError(.sizeMismatch, org: org, jobID: jobID, file: file,
                                               detail: "the server announced a size of \(announced) bytes from byte \(start), which no part can have",
                                               remedy: "The part is fetched again; if Zoho keeps announcing it, report it to Zoho")
                        }
                        if let free = DiskSpace.available(at: path), free < needed {
                            throw ArchiveError(.diskFull, org: org, jobID: jobID, file: file,
                                               detail: "\(ByteSize(bytes: max(free, 0))) free where \(path) needs \(ByteSize(bytes: left)) plus archive.min_free \(minFree)",
                                               remedy: "Free space there (or lower archive.keep); the download resumes where it stopped")
                        }
                    }
                    spaceChecked = true
                }
                if total == nil, checkedAt < 0 || written - checkedAt >= Self.unsizedCheckEvery {
                    // No length announced (a chunked answer): check as the bytes arrive instead,
                    // so such an answer cannot fill the disk.
                    checkedAt = written
                    let (needed, overflow) = minFree.bytes.addingReportingOverflow(Int64(bytes.count))
                    if let free = DiskSpace.available(at: path), overflow || free < needed {
                        throw ArchiveError(.diskFull, org: org, jobID: jobID, file: file,
                                           detail: "\(ByteSize(bytes: max(free, 0))) free where \(path) has \(ByteSize(bytes: written)) of a part whose size the server did not say, and archive.min_free is \(minFree)",
                                           remedy: "Free space there (or lower archive.keep); the download resumes where it stopped")
                    }
                }
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw ioError(errno, "write")
                    }
                    offset += n
                }
                hasher.update(bufferPointer: bytes)
                written += Int64(bytes.count)
                chunks += 1
                if chunks == 1 { try injected(.partMidStream, path: path, file: file) }
            }
        } catch let error as ArchiveError {
            // The sink's own (a full disk, a fault point), handed back unchanged by the source.
            throw error
        } catch {
            throw ArchiveError(.sourceFailed, org: org, jobID: jobID, file: file, detail: "the download stopped after \(written) bytes: \(error)",
                               remedy: "It resumes from there at the next attempt", underlying: error)
        }
        if let total, written != total {
            throw ArchiveError(.sizeMismatch, org: org, jobID: jobID, file: file, detail: "\(written) bytes arrived, the server announced \(total)",
                               remedy: "The part is fetched again")
        }
        try injected(.partBeforeFsync, path: path, file: file)
        guard fsync(fd) == 0 else { throw ioError(errno, "fsync") }
        try injected(.partAfterFsync, path: path, file: file)
        return Result(size: written, sha256: FileDigest.hex(hasher), resumedFrom: resumedFrom)
    }

    /// How often the free space is checked while a part of unknown length streams in.
    static let unsizedCheckEvery: Int64 = 4 << 20

    private func injected(_ point: FaultPoint, path currentPath: String, file currentFile: String) throws(ArchiveError) {
        do { try faults.injected(point) } catch {
            throw .injected(error, path: currentPath, org: org, jobID: jobID, file: currentFile)
        }
    }
}
