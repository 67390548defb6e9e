import Foundation
import Logging

/// A swift-log handler writing one readable line per entry to stderr, for runs outside
/// systemd: `2026-11-22T09:30:05Z error [acme job=4876… file=Data_001.zip] message`.
/// Secret-shaped text is masked (``SecretScrubber``).
public typealias StderrLogHandler = FieldLogHandler<StderrOutput>

/// Readable stderr lines, for ``StderrLogHandler`` (and entries the journal refuses).
public enum StderrOutput: LogOutput {
    /// Formats and writes one line (one `write(2)`, so concurrent lines do not interleave).
    public static func write(event: LogEvent, metadata: Logger.Metadata, label: String) {
        FileHandle.standardError.write(Data((format(event: event, metadata: metadata) + "\n").utf8))
    }

    static func format(event: LogEvent, metadata: Logger.Metadata) -> String {
        var context: [String] = []
        if let org = metadata[LogField.orgKey] { context.append(LogField.text(org)) }
        if let job = metadata[LogField.jobIDKey] { context.append("job=\(LogField.text(job))") }
        if let file = metadata[LogField.fileKey] { context.append("file=\(LogField.text(file))") }
        let skip: Set = [LogField.orgKey, LogField.jobIDKey, LogField.fileKey, LogField.messageIDKey]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !skip.contains(key) {
            context.append("\(key)=\(LogField.text(value))")
        }
        let time = Date().formatted(.iso8601)
        let where_ = context.isEmpty ? "" : " [" + context.joined(separator: " ") + "]"
        return SecretScrubber.scrub("\(time) \(event.level)\(where_) \(LogField.withoutOrg(event.message.description, metadata))")
    }
}
