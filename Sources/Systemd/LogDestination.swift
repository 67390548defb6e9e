import Foundation
import Glibc
import Logging

/// Where the daemon's logs go: the journal under systemd, readable stderr lines elsewhere.
public enum LogDestination: String, Sendable {
    case journal, stderr

    /// The environment variable that forces a destination (`journal` or `stderr`), for tests.
    public static let overrideVariable = "ZOHO_CRM_BACKUP_LOG"

    /// The journal when `$ZOHO_CRM_BACKUP_LOG=journal`, or when systemd connected stderr to
    /// the journal (`JOURNAL_STREAM` names stderr's device and inode — `sd_journal_sendv`
    /// returns 0 even with no journald, so it cannot tell); stderr otherwise.
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogDestination {
        if let forced = environment[overrideVariable].flatMap(LogDestination.init(rawValue:)) { return forced }
        guard let stream = environment["JOURNAL_STREAM"] else { return .stderr }
        let parts = stream.split(separator: ":")
        var info = stat()
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]), fstat(2, &info) == 0 else { return .stderr }
        return UInt64(info.st_dev) == dev && UInt64(info.st_ino) == ino ? .journal : .stderr
    }

    /// A handler for `label` writing to this destination.
    public func makeHandler(label: String, level: Logger.Level = .info) -> any LogHandler {
        switch self {
        case .journal:
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        case .stderr:
            var handler = StderrLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
