import Foundation
import Glibc
import ZohoModel

/// `<archive>/.lock`: held by whoever writes into the archive — taken after the org's lock in
/// the state folder, so two daemons (or a daemon and a command) with different `state_dir`
/// on one archive never write the same `.partial` file.
extension ArchiveFolder {
    /// The archive's lock file.
    public var lockPath: String { path + "/.lock" }

    /// Takes the archive's lock (creating the archive folder, 0700, if needed), waiting up to
    /// `timeout`, and writes `holder` into the file so another process can say who has it.
    /// - Returns: the lock; nil when another process kept it (``lockHolder()`` names it).
    public func lock(holder: String, timeout: Duration) async throws(ArchiveError) -> FileLock? {
        try makeFolder(path)
        let lock: FileLock?
        do { lock = try await FileLock.acquire(lockPath, timeout: timeout, clock: ContinuousClock()) } catch let error as FileError {
            throw ArchiveError.io(error.errno, path: lockPath, doing: "lock", org: org, jobID: nil, file: nil)
        } catch {
            return nil   // cancelled while waiting
        }
        guard let lock else { return nil }
        let fd = open(lockPath, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd >= 0 {
            defer { close(fd) }
            let text = Array("\(holder)\n".utf8)
            if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        }
        return lock
    }

    /// Who holds (or last held) the archive's lock, as it wrote itself there.
    public func lockHolder() -> String? {
        (try? String(contentsOfFile: lockPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
