import Foundation
import Policy
import ZohoModel

/// One HTTP request to a destination: a message shaped for its kind. Pure.
public struct AlertRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: Data

    public init(method: String, url: String, headers: [String: String], body: Data) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// `message` (with `folded` more held back) for a destination of `kind` at `url`.
    /// - healthchecks: `/start` when a download begins, the URL itself when a backup is
    ///   archived, `/fail` when one fails or its links are lost, `/log` for anything else
    ///   (`notify test`): the body is the text.
    /// - slack: `{"text": …}`.
    /// - ntfy: the text, with `Title`, `Priority` (1–5) and `Tags` headers.
    /// - json: the README's document.
    public static func make(_ message: AlertMessage, folded: Int, kind: NotifyDestination.Kind, url: String) -> AlertRequest {
        let text = message.text(folded: folded)
        switch kind {
        case .healthchecks:
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            let suffix: String = switch message.event {
            case _ where message.test: "/log"
            case .backupStarted: "/start"
            case .backupArchived: ""
            case .backupFailed, .linksLost: "/fail"
            default: "/log"
            }
            return AlertRequest(method: "POST", url: base + suffix, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Data(text.prefix(10_000).utf8))
        case .slack:
            // Slack's text: &, < and > escaped, as its formatting requires.
            let escaped = ("*\(message.title)*\n" + text).replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            let body = ["text": escaped]
            return AlertRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"], body: json(body))
        case .ntfy:
            return AlertRequest(method: "POST", url: url, headers: [
                "Content-Type": "text/plain; charset=utf-8",
                "Title": asciiHeader(message.title),
                "Priority": String(priority(message)),
                "Tags": tags(message).joined(separator: ","),
            ], body: Data(text.utf8))
        case .json, .email:   // mail never goes over HTTP (AlertSender hands it to sendmail); its document if it did
            return AlertRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"], body: json(document(message, folded: folded)))
        }
    }

    /// The JSON webhook's document (its schema is in the README).
    public static func document(_ message: AlertMessage, folded: Int) -> [String: Any] {
        var document: [String: Any] = [
            "version": 1, "id": message.id, "event": message.event.rawValue, "level": message.level,
            "title": message.title, "message": message.message, "time": ISO8601DateFormatter().string(from: message.time),
            "host": message.host, "folded": folded, "test": message.test,
        ]
        document["org"] = message.org ?? NSNull()
        document["job_id"] = message.jobID ?? NSNull()
        document["message_id"] = message.messageID ?? NSNull()
        document["hint"] = message.hint ?? NSNull()
        return document
    }

    /// ntfy's priority: 5 critical, 4 error, 3 warning and notice, 2 info.
    static func priority(_ message: AlertMessage) -> Int {
        switch message.level {
        case "critical": 5
        case "error": 4
        case "warning", "notice": 3
        default: 2
        }
    }

    /// ntfy's tags: an emoji by level (ntfy shows known short codes as emoji), the event, the org.
    static func tags(_ message: AlertMessage) -> [String] {
        let emoji = switch message.level {
        case "critical": "rotating_light"
        case "error": "x"
        case "warning": "warning"
        default: "white_check_mark"
        }
        return [emoji, message.event.rawValue] + (message.org.map { [$0] } ?? [])
    }

    /// HTTP header values are ASCII: anything else becomes `-` (the body keeps it whole).
    static func asciiHeader(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "-" })
    }

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}
