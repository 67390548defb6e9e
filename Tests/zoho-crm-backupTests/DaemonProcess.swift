import Foundation
import Glibc

/// `zoho-crm-backup run` as its own process, as systemd starts it: its stderr goes to a file
/// the test reads, signals reach it as they would from `systemctl`.
final class DaemonProcess {
    let process = Process()
    let logPath: String

    init(policy: String, environment: [String: String], logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["run", "--policy", policy, "--no-jitter"]
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "CREDENTIALS_DIRECTORY", "STATE_DIRECTORY"] {
            env.removeValue(forKey: key)
        }
        env.merge(environment) { _, new in new }
        process.environment = env
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Sends SIGTERM once the daemon has started (a SIGTERM before its handlers are in place
    /// kills it by the default action, which systemd counts as clean but a test would not).
    func stop(timeout: TimeInterval = 15) -> Bool {
        _ = eventually(timeout: 20) { log.contains(" started: ") }
        signal(SIGTERM)
        return waitForExit(timeout: timeout)
    }

    /// Waits for the process to end (killing it after `timeout`). - Returns: whether it ended by itself.
    @discardableResult
    func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        guard process.isRunning else { return true }
        kill(pid, SIGKILL)
        process.waitUntilExit()
        return false
    }

    deinit { if process.isRunning { kill(pid, SIGKILL); process.waitUntilExit() } }
}

/// Polls `condition` every 100 ms for up to `timeout`. - Returns: whether it became true.
func eventually(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(100_000)
    }
    return condition()
}
