import Foundation

/// `zoho-crm-backup simulator` running as its own process, as a user would start it.
final class SimulatorProcess {
    let process = Process()
    /// e.g. `http://127.0.0.1:41234`
    let base: String
    /// The banner it printed.
    let banner: String
    /// The credentials it accepts.
    let credentials: [String: String]

    /// Where `--log-requests` lines go, when asked for.
    let requestLog: String?

    /// - Parameters:
    ///   - extra: more `simulator` arguments (`--fault …`, `--data-parts 3`, …).
    ///   - requestLog: a file for a line per request (`--log-requests`).
    init(jobDuration: String = "1s", extra: [String] = [], requestLog: String? = nil) throws {
        self.requestLog = requestLog
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["simulator", "--port", "0", "--job-duration", jobDuration] + extra + (requestLog == nil ? [] : ["--log-requests"])
        let out = Pipe()
        process.standardOutput = out
        if let requestLog {
            FileManager.default.createFile(atPath: requestLog, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: requestLog)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        // The banner arrives in one flush; read until the credentials line.
        var text = ""
        while !text.contains("\"refresh_token\"") {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        banner = text
        guard let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression),
              let line = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        base = String(text[range])
        credentials = object
    }

    /// `host:port`
    var hostPort: String { String(base.dropFirst("http://".count)) }

    /// The requests logged so far (`request METHOD PATH STATUS [range=…]`).
    var requests: [String] {
        guard let requestLog, let text = try? String(contentsOfFile: requestLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("request ") }
    }

    /// A policy with one org `acme` pointed at this simulator.
    func policy(credentials name: String = "acme") -> String {
        """
        version: 1
        orgs:
          acme:
            data_center: us
            credentials: \(name)
            schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
            endpoints:
              accounts: \(base)
              api: \(base)
              download_hosts: ["\(hostPort)"]
        """
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    deinit { if process.isRunning { stop() } }
}

/// Runs curl (10 s at most) and returns what it printed.
func curl(_ arguments: [String]) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    p.arguments = ["--max-time", "10"] + arguments
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
