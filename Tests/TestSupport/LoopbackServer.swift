import Foundation

/// A server a test starts as a child process on loopback (rclone, moto): waiting until it
/// answers, and stopping it. The wait polls a real process: there is no clock to inject.
public enum LoopbackServer {
    /// Polls `url` every 50 ms (at most 10 s) while `process` runs. - Returns: whether it answered.
    public static func waitUntilAnswering(_ url: String, process: Process) async -> Bool {
        for _ in 0..<200 where process.isRunning {
            if (try? await ChildProcess.run("/usr/bin/curl", ["-s", "-o", "/dev/null", url]))?.status == 0 { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// SIGKILL, then waits (at most 10 s) for it to be gone. (Foundation's `waitUntilExit` can
    /// hang in an async test; polling `isRunning` does not.)
    public static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
    }
}
