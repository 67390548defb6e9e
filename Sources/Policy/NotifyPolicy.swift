import Foundation
import ZohoModel

/// Where an org's alerts go (`notify:`): a healthchecks check and webhooks.
public struct NotifyPolicy: Sendable, Equatable {
    /// The org's healthchecks check (`/start`, success, `/fail`), if any.
    public var healthchecks: NotifyDestination?
    /// Slack, ntfy and JSON webhooks.
    public var webhooks: [NotifyDestination]
    /// Mail through the machine's `sendmail`, if any.
    public var email: NotifyDestination?

    public init(healthchecks: NotifyDestination? = nil, webhooks: [NotifyDestination] = [], email: NotifyDestination? = nil) {
        self.healthchecks = healthchecks
        self.webhooks = webhooks
        self.email = email
    }

    /// Every destination, the healthchecks check first, the e-mail last.
    public var destinations: [NotifyDestination] { (healthchecks.map { [$0] } ?? []) + webhooks + (email.map { [$0] } ?? []) }
}

/// One place alerts are sent.
public struct NotifyDestination: Sendable, Equatable, Codable {
    /// How a message is shaped for it.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// healthchecks.io's ping protocol (`/start`, success, `/fail`).
        case healthchecks
        /// Slack's incoming webhook (`{"text": …}`).
        case slack
        /// ntfy (the message as the body; Title, Priority, Tags headers).
        case ntfy
        /// The JSON document of the README's schema.
        case json
        /// A plain-text mail through the machine's `sendmail` (msmtp-mta under the hardened unit).
        case email
    }

    /// Unique among the org's destinations (`notify test --destination NAME`).
    public var name: String
    public var kind: Kind
    /// The URL, or the secret holding it (URLs often carry tokens); for e-mail, `mailto:` and
    /// its recipients (never resolved).
    public var url: URLSource
    /// The events it gets.
    public var events: Set<AlertEvent>
    /// For `email`: the addresses and the sendmail program.
    public var email: EmailTarget?

    public init(name: String, kind: Kind, url: URLSource, events: Set<AlertEvent>, email: EmailTarget? = nil) {
        self.name = name
        self.kind = kind
        self.url = url
        self.events = events
        self.email = email
    }
}

/// A URL given inline (`url:`) or by the name of a secret file holding it (`url_secret:`).
public enum URLSource: Sendable, Equatable, Codable {
    case inline(String)
    case secret(String)

    /// The URL: inline, or read from the secret (checked like an inline one).
    public func resolve(_ secrets: SecretLookup) throws(CredentialsError) -> String {
        switch self {
        case .inline(let url): return url
        case .secret(let name):
            let secret = try secrets.load(name, purpose: "a notify URL")
            let text = secret.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let problem = Self.problem(text) {
                throw CredentialsError(code: .malformed, paths: [secret.path], message: "\(secret.path): the URL in this secret \(problem); write one URL on one line")
            }
            return text
        }
    }

    /// What is wrong with `url` as an alert destination, or nil: https, or http to a loopback
    /// address only (an alert's URL often carries a token); no user information.
    public static func problem(_ url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty else {
            return "not a URL (https://host/path)"
        }
        if parsed.user != nil || parsed.password != nil { return "must not carry a user or password before the host" }
        if scheme == "https" { return nil }
        if scheme == "http", ["127.0.0.1", "::1", "localhost", "[::1]"].contains(host.lowercased()) { return nil }
        return "must be https:// (http:// only to a loopback address such as 127.0.0.1)"
    }
}

/// The daemon's own check (`heartbeat:`): pinged every `every` while the daemon is healthy.
public struct HeartbeatPolicy: Sendable, Equatable {
    public var url: URLSource
    public var every: Duration

    public init(url: URLSource, every: Duration) {
        self.url = url
        self.every = every
    }
}

/// Where an e-mail destination's mail goes and how it is handed over.
public struct EmailTarget: Sendable, Equatable, Codable {
    /// The recipients.
    public var to: [String]
    /// The sender (the envelope's and the `From:` header's).
    public var from: String
    /// The `sendmail` program (default `/usr/sbin/sendmail`).
    public var sendmail: String
    /// When the daily digest goes, minutes after midnight in the machine's time zone (default 07:00).
    public var digestMinute: Int

    public init(to: [String], from: String, sendmail: String = "/usr/sbin/sendmail", digestMinute: Int = 7 * 60) {
        self.to = to
        self.from = from
        self.sendmail = sendmail
        self.digestMinute = digestMinute
    }

    /// Whether `address` is a plain mail address (`local@domain`): no spaces, commas, angle
    /// brackets, quotes or line breaks — nothing that could add a header or a recipient.
    public static func isValidAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              address.count <= 254, !address.hasPrefix("-") else { return false }
        return address.unicodeScalars.allSatisfy { $0.isASCII && $0.value > 0x20 && !"<>,;:\"'()[]\\".unicodeScalars.contains($0) }
    }
}
