import Foundation
import Glibc

/// restic (Debian's) as the tests drive it directly: a fixture's repository and its locks.
public enum ResticFixture {
    /// Fails the test when restic is not installed (`make deps` installs it): never a skip.
    public static var isInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/restic") }
    }

    /// Runs `restic --repo repository --password-file passwordFile --no-cache arguments…`.
    @discardableResult
    public static func run(_ arguments: [String], repository: String, passwordFile: String) throws -> ChildProcess.Result {
        try ChildProcess.run("/usr/bin/env", command(arguments, repository: repository, passwordFile: passwordFile), environment: ["TZ": "UTC"])
    }

    /// The same on a thread of its own, for async tests (see ``ChildProcess/run(_:_:environment:in:)-async``).
    @discardableResult
    public static func run(_ arguments: [String], repository: String, passwordFile: String) async throws -> ChildProcess.Result {
        try await ChildProcess.run("/usr/bin/env", command(arguments, repository: repository, passwordFile: passwordFile), environment: ["TZ": "UTC"])
    }

    private static func command(_ arguments: [String], repository: String, passwordFile: String) -> [String] {
        ["restic", "--repo", repository, "--password-file", passwordFile, "--no-cache"] + arguments
    }

    /// Leaves the exclusive lock a killed restic leaves: ``holdExclusiveLock(repository:passwordFile:)``,
    /// then the holder killed with SIGKILL. - Returns: whether a lock was left.
    public static func leaveExclusiveLock(repository: String, passwordFile: String) async throws -> Bool {
        guard let holder = try await holdExclusiveLock(repository: repository, passwordFile: passwordFile) else { return false }
        holder.kill()
        return !((try? FileManager.default.contentsOfDirectory(atPath: repository + "/locks")) ?? []).isEmpty
    }

    /// A live restic holding the repository's exclusive lock: `restic key passwd` locks it,
    /// then waits to read the new password from a FIFO nobody writes. - Returns: the holder
    /// once its lock is written whole, or nil when none was written.
    public static func holdExclusiveLock(repository: String, passwordFile: String) async throws -> LockHolder? {
        let locks = repository + "/locks"
        let fifo = NSTemporaryDirectory() + "restic-fifo-\(UUID().uuidString.prefix(8))"
        guard mkfifo(fifo, 0o600) == 0 else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["restic", "--repo", repository, "--password-file", passwordFile, "--no-cache",
                             "key", "passwd", "--new-password-file", fifo]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let holder = LockHolder(process: process, fifo: fifo)
        // The lock file written whole (a half-written one restic ignores): it has bytes, and
        // restic has moved on to wait for the FIFO.
        for _ in 0..<1_000 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: locks)) ?? []
            let sizes = names.map { (try? FileManager.default.attributesOfItem(atPath: locks + "/" + $0)[.size] as? NSNumber)?.intValue ?? 0 }
            if sizes.contains(where: { $0 > 0 }) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(500))
        guard !((try? FileManager.default.contentsOfDirectory(atPath: locks)) ?? []).isEmpty else {
            holder.kill()
            return nil
        }
        return holder
    }

    /// The restic that holds a lock; ``kill()`` ends it with SIGKILL (its lock stays, stale).
    public final class LockHolder: @unchecked Sendable {   // set once in init; kill() is called from one test at a time
        let process: Process
        let fifo: String

        init(process: Process, fifo: String) {
            self.process = process
            self.fifo = fifo
        }

        public func kill() {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            unlink(fifo)
        }

        deinit { kill() }
    }
}
