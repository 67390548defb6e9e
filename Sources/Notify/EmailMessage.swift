import Foundation
import Policy

/// An alert as a plain-text mail (RFC 5322): `From`, `To`, a `Subject` naming org and event,
/// `Date`, a `Message-ID` from the alert's id, and the text. Pure.
public enum EmailMessage {
    /// The mail of `message` (with `folded` more held back) from `target.from` to its recipients.
    public static func make(_ message: AlertMessage, folded: Int, target: EmailTarget) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let subject = message.title.replacingOccurrences(of: "zoho-crm-backup · ", with: "[zoho-crm-backup] ")
        let domain = target.from.split(separator: "@").last.map(String.init) ?? "localhost"
        let headers = [
            "From: \(target.from)",
            "To: \(target.to.joined(separator: ", "))",
            "Subject: \(encodedHeader(subject))",
            "Date: \(formatter.string(from: message.time))",
            "Message-ID: <\(message.id)@\(domain)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "Auto-Submitted: auto-generated",
            "X-Zoho-CRM-Backup-Event: \(message.event.rawValue)",
        ]
        var body = message.text(folded: folded)
        body += "\n\n-- \nzoho-crm-backup on \(message.host)\(message.org.map { ", org \($0)" } ?? "")\(message.jobID.map { ", job \($0)" } ?? "")"
            + "\(message.messageID.map { "; journalctl MESSAGE_ID=\($0)" } ?? "")\n"
        // Lines end in CRLF on the wire; sendmail takes LF and converts. A lone "." line is
        // safe: sendmail runs with -i.
        return headers.joined(separator: "\n") + "\n\n" + body
    }

    /// A header value as it is when ASCII, else RFC 2047 (UTF-8, base64).
    static func encodedHeader(_ text: String) -> String {
        guard !text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) else { return text }
        return "=?utf-8?b?" + Data(text.utf8).base64EncodedString() + "?="
    }
}
