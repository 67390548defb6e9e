import Foundation
import TestSupport

/// Runs a program as a user would and captures what it prints: the tests' one way to start a
/// child process and wait for it.
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit status, or the signal's number when ``signaled``.
        public var status: Int32
        /// Ended by a signal (SIGKILL from a fault point, say) rather than an exit.
        public var signaled = false
        public var stdout: String
        public var stderr: String
        public var all: String { stdout + stderr }
    }

    /// Variables a child never inherits from the test process: systemd's, the daemon's
    /// folders, and the log switch (a test sets them for the child explicitly).
    public static let inheritedNever = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM",
                                        "ZOHO_CRM_BACKUP_LOG", "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY"]

    /// Runs `path` with `arguments`: the test process's environment minus ``inheritedNever``,
    /// plus `environment`; no standard input. Both pipes are read to the end before waiting, so
    /// a large output cannot block the child.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           in folder: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        var env = ProcessInfo.processInfo.environment
        for key in inheritedNever { env.removeValue(forKey: key) }
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// ``run(_:_:environment:in:)`` on a thread of its own, for async tests: waiting for a child
    /// on one of the few cooperative threads (two on a 2-core machine) stalls every other test.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           in folder: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try run(path, arguments, environment: environment, in: folder) }) }.start()
        }
    }

    /// The path of `name`, a program SwiftPM built beside the test bundle.
    public static func built(_ name: String) -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may sit inside a .xctest folder.
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent(name).path
    }
}

/// A fresh folder under the system's temporary folder.
public func makeTemporaryFolder(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "zcb-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The project's root, found from this file's path (Tests/TestSupport/…).
public let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Runs `body`, which blocks (waits for a child process, sleeps), on a thread of its own and
/// awaits its result: the test's task suspends instead of holding one of the few threads of
/// Swift's cooperative pool, which every in-process simulator and client of the other suites
/// needs meanwhile.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}
