import Foundation
import Glibc

/// Checks a zip the way `unzip -t` does, faster: the central directory is read, every entry
/// is inflated with zlib (raw deflate) or read as stored, and its CRC-32 and size are compared
/// with the directory's. Before any inflation the layout is checked (``ZipLayout``: no entry
/// outside the file, no two overlapping, at most ``ZipDirectory/maxEntries``). Entries are
/// inflated on ``VerifyLanes`` threads, several at once, each lane with its own file
/// descriptor, taking the next entry from the directory as it frees up. Memory stays at a few
/// buffers per lane, whatever the file size or entry count.
public enum ZipVerifier {
    /// What a verified zip holds.
    public struct Summary: Sendable, Equatable {
        /// The number of entries in the zip.
        public var entries: Int
        /// What all the entries inflate to, in bytes.
        public var uncompressedBytes: Int64
        /// What is legal but worth a line in the journal (an unusual compression ratio), naming the entry.
        public var warnings: [String] = []
    }

    /// The first problem found, naming the entry.
    public struct Failure: Error, Sendable, CustomStringConvertible, Equatable {
        /// The entry's name; nil when the problem is the whole file's.
        public var entry: String?
        /// What is wrong, as a sentence fragment.
        public var problem: String
        /// The line shown in errors and `verify`: `entry <name>: <problem>`, or the problem alone.
        public var description: String { entry.map { "entry \($0): \(problem)" } ?? problem }
        /// Makes a failure from its parts; leave `entry` nil for a problem of the whole file.
        public init(entry: String? = nil, problem: String) {
            self.entry = entry
            self.problem = problem
        }
    }

    /// Verifies the zip at `path`, inflating up to `parallelism` entries at once on `lanes`.
    ///
    /// - Parameters:
    ///   - checker: inflates and checks one entry (tests stand in one that blocks).
    ///   - tap: receives each entry's bytes as they are inflated (the record index).
    public static func verify(path: String, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
                              lanes: VerifyLanes = .shared, checker: any ZipEntryChecker = ZlibEntryChecker(),
                              tap: (any ZipEntryTap)? = nil) async throws(Failure) -> Summary {
        // The directory is read on a lane too: a million-entry directory takes seconds.
        let planned: Result<(ZipDirectory, ZipLayout, Int64), Failure> = await lanes.run {
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { return .failure(Failure(problem: "cannot open: \(String(cString: strerror(errno)))")) }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .failure(Failure(problem: "not a regular file")) }
            let size = Int64(info.st_size)
            do {
                let directory = try ZipDirectory.locate(fd: fd, fileSize: size)
                return .success((directory, try ZipLayout.scan(fd: fd, fileSize: size, directory: directory), size))
            } catch let failure as Failure {
                return .failure(failure)
            } catch {
                return .failure(Failure(problem: "\(error)"))
            }
        }
        let (directory, layout, size) = try planned.get()
        guard directory.count > 0 else { throw Failure(problem: "the zip has no entries") }

        let cursor = EntryCursor(directory: directory, path: path)
        let jobs = max(1, min(parallelism, lanes.count, directory.count))
        // Cancelled (shutdown, reload): the lanes take no further entry.
        let result: Result<Int64, Failure> = await withTaskCancellationHandler {
          await withTaskGroup(of: Result<Int64, Failure>.self) { group in
            for _ in 0..<jobs {
                group.addTask { await lanes.run { cursor.drain(checker: checker, tap: tap, fileSize: size) } }
            }
            var total: Int64 = 0
            for await lane in group {
                switch lane {
                case .success(let n):
                    let (sum, overflowed) = total.addingReportingOverflow(n)
                    if overflowed { return .failure(Failure(problem: "the entries' sizes add up beyond 2^63")) }
                    total = sum
                case .failure(let failure):
                    return .failure(failure)
                }
            }
            return .success(total)
          }
        } onCancel: {
            cursor.fail()
        }
        if Task.isCancelled { throw Failure(problem: "verification stopped (the daemon is stopping); it runs again") }
        let bytes = try result.get()
        return Summary(entries: directory.count, uncompressedBytes: bytes, warnings: layout.warnings)
    }

    /// Hands the directory's entries out one at a time to the lanes; the first failure stops
    /// them all. Safe: `reader`, `failed` and the descriptor are used only while holding `lock`.
    final class EntryCursor: @unchecked Sendable {
        private let lock = NSLock()
        private let fd: Int32
        private let path: String
        private var reader: ZipDirectory.Reader?
        private var failed = false

        init(directory: ZipDirectory, path: String) {
            self.path = path
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            reader = fd >= 0 ? directory.entries(fd: fd) : nil
        }

        deinit { if fd >= 0 { close(fd) } }

        /// The next entry, nil when there is none or another lane failed.
        func next() throws(Failure) -> ZipEntry? {
            lock.lock()
            defer { lock.unlock() }
            guard !failed else { return nil }
            guard reader != nil else {
                failed = true
                throw Failure(problem: "cannot open: \(String(cString: strerror(errno)))")
            }
            do { return try reader!.next() } catch {
                failed = true
                throw Failure(problem: error.description)
            }
        }

        func fail() { lock.withLock { failed = true } }

        /// A lane's work: checks entries until none is left; returns their total size.
        func drain(checker: any ZipEntryChecker, tap: (any ZipEntryTap)?, fileSize: Int64) -> Result<Int64, Failure> {
            let laneFD = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard laneFD >= 0 else {
                fail()
                return .failure(Failure(problem: "cannot open: \(String(cString: strerror(errno)))"))
            }
            defer { close(laneFD) }
            var total: Int64 = 0
            do throws(Failure) {
                while let entry = try next() {
                    let output = tap?.begin(entry)
                    let size: Int64
                    do { size = try checker.check(entry, fd: laneFD, fileSize: fileSize, output: output.map { o in { o.consume($0) } }) } catch {
                        output?.end(verified: false)
                        throw error
                    }
                    output?.end(verified: true)
                    let (sum, overflowed) = total.addingReportingOverflow(size)
                    guard !overflowed else { throw Failure(problem: "the entries' sizes add up beyond 2^63") }
                    total = sum
                }
            } catch {
                fail()
                return .failure(error)
            }
            return .success(total)
        }
    }
}
