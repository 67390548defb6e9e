import Foundation

/// Runs helper programs for the Systemd tests and captures what they print.
enum Run {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `systemd-probe` test helper, built beside the test bundle.
    static var probePath: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("systemd-probe").path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("systemd-probe").path
    }

    static func probe(_ arguments: [String], environment: [String: String]) throws -> Result {
        try command(probePath, arguments, environment: environment)
    }

    /// Runs `path` with `arguments`; the process environment minus systemd's variables, plus `environment`.
    static func command(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "ZOHO_CRM_BACKUP_LOG"] {
            env.removeValue(forKey: key)
        }
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
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
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

func makeTemporaryFolder(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "zcb-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A refresh token's shape, as the probe writes it into a too-open credentials file.
let probeSecret = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
