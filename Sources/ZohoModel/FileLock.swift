import Foundation
import Glibc

/// An exclusive advisory lock (`flock`) on a file, held until ``unlock()`` or until the value
/// is released.
///
/// Used for `<state_dir>/run.lock` (one daemon per state) and `<state_dir>/<org>/lock`
/// (one unit of work per org at a time). The kernel drops the lock when the process dies,
/// so a `kill -9` never leaves a stale lock behind. Locks conflict between processes and
/// between two `FileLock`s of the same process.
public final class FileLock: Sendable {
    /// The locked file.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Takes the lock if it is free, creating the file (0600) if needed.
    ///
    /// - Returns: the held lock, or nil when another holder has it.
    /// - Throws: ``FileError`` when the file cannot be opened or locked for another reason.
    public static func tryAcquire(_ path: String) throws(FileError) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: "open lock file", errno: errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(fd)
            if error == EWOULDBLOCK { return nil }
            throw FileError(path: path, operation: "lock", errno: error)
        }
        return FileLock(path: path, fd: fd)
    }

    /// Takes the lock, waiting up to `timeout` for another holder to release it. Polls on
    /// `clock`, so tests can advance time instead of waiting.
    ///
    /// - Returns: the held lock, or nil if it was still held by another after `timeout`.
    public static func acquire<C: Clock<Duration>>(
        _ path: String, timeout: Duration, pollEvery: Duration = .milliseconds(100), clock: C
    ) async throws -> FileLock? {
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if let lock = try tryAcquire(path) { return lock }
            guard clock.now < deadline else { return nil }
            try await clock.sleep(for: pollEvery)
        }
    }

    /// Runs `body` while holding the lock on `path`; nil when the lock was not free.
    public static func withLockIfFree<T>(_ path: String, _ body: () throws -> T) throws -> T? {
        guard let lock = try tryAcquire(path) else { return nil }
        defer { lock.unlock() }
        return try body()
    }

    /// Releases the lock. Releasing twice is harmless.
    public func unlock() {
        _ = flock(fd, LOCK_UN)
    }

    deinit {
        close(fd)
    }
}

extension FileLock {
    /// Whether another holder has the lock on `path` now, without creating the file (a
    /// read-only command run as root must not leave a root-owned lock file behind).
    public static func isHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
