import CSystemd
import Foundation
import Glibc
import Logging

/// A swift-log handler that writes native journal entries through `sd_journal_sendv`:
/// `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER=zoho-crm-backup`, `CODE_FILE`/`CODE_LINE`/
/// `CODE_FUNC`, and a field per metadata key (see ``LogField``), so `journalctl
/// ZOHO_ORG=acme` and `journalctl MESSAGE_ID=…` work.
///
/// Never throws and never stops the daemon: an entry the journal refuses goes to stderr.
/// Secret-shaped text is masked (``SecretScrubber``).
public typealias JournalLogHandler = FieldLogHandler<JournalOutput>

/// Native journal entries, for ``JournalLogHandler``.
public enum JournalOutput: LogOutput {
    /// The journal's `SYSLOG_IDENTIFIER` of every entry.
    public static let identifier = "zoho-crm-backup"

    /// Sends the entry; one the journal refuses goes to stderr.
    public static func write(event: LogEvent, metadata all: Logger.Metadata, label: String) {
        var fields = [
            "MESSAGE=" + SecretScrubber.scrub(LogField.withOrg(event.message.description, all)),
            "PRIORITY=\(LogField.priority(event.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
            "ZOHO_LOGGER=\(label)",
        ]
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            fields.append(LogField.journalName(for: key) + "=" + SecretScrubber.scrub(LogField.text(value)))
        }
        if send(fields) < 0 {
            StderrOutput.write(event: event, metadata: all, label: label)
        }
    }

    /// Sends one entry; returns `sd_journal_sendv`'s result (negative errno on failure).
    static func send(_ fields: [String]) -> Int32 {
        let buffers = fields.map { Array($0.utf8) }
        return withIOVecs(buffers) { iov in
            sd_journal_sendv(iov.baseAddress, Int32(iov.count))
        }
    }

    /// Calls `body` with an iovec per buffer, every buffer pinned for the call.
    private static func withIOVecs<R>(_ buffers: [[UInt8]], _ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
        var iovecs: [iovec] = []
        iovecs.reserveCapacity(buffers.count)
        func pin(_ index: Int) -> R {
            guard index < buffers.count else { return iovecs.withUnsafeBufferPointer(body) }
            return buffers[index].withUnsafeBytes { raw in
                iovecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
                return pin(index + 1)
            }
        }
        return pin(0)
    }
}
