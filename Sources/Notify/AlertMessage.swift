import Foundation
import ZohoModel

/// One alert as the outbox keeps it and every destination is told it: what happened (the
/// journal's sentence and `MESSAGE_ID`), to which org and job, and what to do. Nothing secret.
public struct AlertMessage: Codable, Sendable, Equatable {
    /// Unique: a JSON receiver drops a message it has seen (delivery is at least once).
    public var id: String
    public var event: AlertEvent
    /// nil for the daemon's own events.
    public var org: String?
    public var jobID: String?
    /// The journal's priority: `info`, `notice`, `warning`, `error`, `critical`.
    public var level: String
    /// The journal's sentence.
    public var message: String
    /// The journal's `MESSAGE_ID`, when the event has one.
    public var messageID: String?
    /// What to do about it.
    public var hint: String?
    /// When it was decided.
    public var time: Date
    /// The machine the daemon runs on.
    public var host: String
    /// A test message (`notify test`), not an event.
    public var test: Bool

    public init(id: String = UUID().uuidString.lowercased(), event: AlertEvent, org: String?, jobID: String? = nil, level: String, message: String,
                messageID: String? = nil, hint: String? = nil, time: Date, host: String = ProcessInfo.processInfo.hostName, test: Bool = false) {
        self.id = id
        self.event = event
        self.org = org
        self.jobID = jobID
        self.level = level
        self.message = message
        self.messageID = messageID
        self.hint = hint
        self.time = time
        self.host = host
        self.test = test
    }

    /// "acme: backup failed" (the daemon's events name the host instead).
    public var title: String {
        let what = event.rawValue.replacingOccurrences(of: "_", with: " ")
        return "zoho-crm-backup · \(org ?? host): \(test ? "test message" : what)"
    }

    /// The sentence, the hint and the folded count as plain text.
    public func text(folded: Int) -> String {
        var lines = [message]
        if let hint, !hint.isEmpty, !message.contains(hint) { lines.append("What to do: \(hint)") }
        if folded > 0 { lines.append("(and \(folded) more like it, held back by the rate limit of one message an hour)") }
        return lines.joined(separator: "\n")
    }
}
