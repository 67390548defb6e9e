import Logging

/// Where a ``FieldLogHandler`` writes one entry: the journal or a stderr line.
public protocol LogOutput: Sendable {
    /// Writes `event` with every field it carries (`metadata`, merged), from the logger `label`.
    static func write(event: LogEvent, metadata: Logger.Metadata, label: String)
}

/// The daemon's swift-log handler: a level, metadata (with a provider) and a label, and an
/// ``LogOutput`` that writes each entry — ``JournalLogHandler`` or ``StderrLogHandler``.
public struct FieldLogHandler<Output: LogOutput>: LogHandler {
    /// Entries below this level are dropped.
    public var logLevel: Logger.Level = .info
    /// Fields carried by every entry (`org`, …), as set on the logger.
    public var metadata: Logger.Metadata = [:]
    /// Fields added to every entry when it is logged.
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// A handler for the logger `label`.
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// One metadata field.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the entry with its fields merged (the logger's, the provider's, the entry's).
    public func log(event: LogEvent) {
        Output.write(event: event, metadata: LogField.merged(metadata, metadataProvider, event.metadata), label: label)
    }
}
