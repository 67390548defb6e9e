import Foundation
import Yams
import ZohoModel

/// `notify:` (per org or under `defaults:`) and the top-level `heartbeat:`.
extension PolicyReader {
    static let notifyKeys = ["healthchecks", "webhooks", "email"]
    static let emailKeys = ["name", "to", "from", "events", "sendmail", "digest_at"]
    static let destinationKeys = ["name", "kind", "url", "url_secret", "events"]

    /// An org's `notify:`, or nil when a problem was reported.
    mutating func readNotify(_ node: Node) -> NotifyPolicy? {
        guard let entries = mapping(node, at: "notify", allowed: Self.notifyKeys) else { return nil }
        let before = diagnostics.count
        var result = NotifyPolicy()
        for entry in entries {
            if entry.key == "healthchecks" {
                result.healthchecks = destination(entry.value, at: "notify.healthchecks", kind: .healthchecks)
            } else if entry.key == "email" {
                result.email = readEmail(entry.value)
            } else {
                guard case .sequence(let list) = entry.value else {
                    report(entry.value, "notify.webhooks: expected a list of webhooks (- { name: ops, kind: slack, url_secret: slack-ops }), got \(entry.value.kindDescription)")
                    continue
                }
                for (index, item) in list.enumerated() {
                    if let webhook = destination(item, at: "notify.webhooks[\(index)]", kind: nil) { result.webhooks.append(webhook) }
                }
            }
        }
        var seen: Set<String> = []
        for destination in result.destinations where !seen.insert(destination.name).inserted {
            report(node, "notify: two destinations are named '\(destination.name)'; each needs a name of its own (notify test --destination uses it)")
        }
        return diagnostics.count == before ? result : nil
    }

    /// One destination; `kind` fixed for the healthchecks check, read for a webhook.
    private mutating func destination(_ node: Node, at path: String, kind fixed: NotifyDestination.Kind?) -> NotifyDestination? {
        let allowed = fixed == nil ? Self.destinationKeys : ["name", "url", "url_secret", "events"]
        guard let entries = mapping(node, at: path, allowed: allowed) else { return nil }
        let before = diagnostics.count
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var name = fixed == .healthchecks ? "healthchecks" : ""
        if let node = values["name"], let text = string(node, at: path + ".name") {
            if SecretLookup.isValidName(text) { name = text } else { report(node, "\(path).name: '\(text)' must be letters, digits, '.', '_' and '-'") }
        } else if fixed == nil, values["name"] == nil {
            report(node, "\(path): missing required key 'name' (a name of your choosing, for `notify test --destination NAME`)")
        }
        var kind = fixed ?? .json
        if fixed == nil {
            if let node = values["kind"], let text = string(node, at: path + ".kind") {
                if let known = NotifyDestination.Kind(rawValue: text), [.slack, .ntfy, .json].contains(known) { kind = known } else {
                    report(node, "\(path).kind: '\(text)' is not a webhook kind; one of slack, ntfy, json (healthchecks has a key of its own: notify.healthchecks)")
                }
            } else if values["kind"] == nil {
                report(node, "\(path): missing required key 'kind' (slack, ntfy or json)")
            }
        }
        let url = urlSource(values, in: node, at: path)
        var events = fixed == .healthchecks ? AlertEvent.healthchecks : AlertEvent.webhookDefault
        if let node = values["events"] { events = readEvents(node, at: path + ".events") ?? events }
        guard diagnostics.count == before, let url else { return nil }
        return NotifyDestination(name: name, kind: kind, url: url, events: events)
    }

    /// `notify.email`: recipients, sender, events, the sendmail program, the digest's time.
    private mutating func readEmail(_ node: Node) -> NotifyDestination? {
        guard let entries = mapping(node, at: "notify.email", allowed: Self.emailKeys) else { return nil }
        let before = diagnostics.count
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        var target = EmailTarget(to: [], from: "")
        var name = "email"
        if let node = values["name"], let text = string(node, at: "notify.email.name") {
            if SecretLookup.isValidName(text) { name = text } else { report(node, "notify.email.name: '\(text)' must be letters, digits, '.', '_' and '-'") }
        }
        switch values["to"] {
        case nil: report(node, "notify.email: missing required key 'to' (a list of addresses: to: [ops@example.com])")
        case .some(.sequence(let list)) where !list.isEmpty:
            target.to = list.compactMap { address($0, at: "notify.email.to") }
        case .some(let single):
            if case .scalar = single {
                target.to = address(single, at: "notify.email.to").map { [$0] } ?? []
            } else {
                report(single, "notify.email.to: give one address or a list of addresses (to: [ops@example.com]), got \(single.kindDescription)")
            }
        }
        if let node = values["from"] { target.from = address(node, at: "notify.email.from") ?? "" } else {
            report(node, "notify.email: missing required key 'from' (the sender, e.g. zoho-crm-backup@backup-host.example.com)")
        }
        if let node = values["sendmail"] { target.sendmail = absolutePath(node, at: "notify.email.sendmail") ?? target.sendmail }
        if let node = values["digest_at"], let text = string(node, at: "notify.email.digest_at") {
            let parts = text.split(separator: ":").map { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) ? Int($0) : nil }
            if parts.count == 2, let hour = parts[0], let minute = parts[1], (0..<24).contains(hour), (0..<60).contains(minute), text.count == 5 {
                target.digestMinute = hour * 60 + minute
            } else {
                report(node, "notify.email.digest_at: '\(text)' is not a time of day; write HH:MM, e.g. \"07:00\" (the machine's time zone)")
            }
        }
        var events = AlertEvent.webhookDefault
        if let node = values["events"] {
            events = readEvents(node, at: "notify.email.events") ?? events
            if let at = values["digest_at"], !events.contains(.dailyDigest) {
                report(at, "notify.email.digest_at: the events do not include daily_digest, so no digest is sent; add daily_digest to events, or remove digest_at")
            }
        } else if values["digest_at"] != nil {
            events.insert(.dailyDigest)   // a digest time with the default events: the digest is wanted
        }
        if values["to"] != nil, target.to.isEmpty, diagnostics.count == before { report(node, "notify.email.to: give at least one address") }
        guard diagnostics.count == before else { return nil }
        return NotifyDestination(name: name, kind: .email, url: .inline("mailto:" + target.to.joined(separator: ",")), events: events, email: target)
    }

    private mutating func address(_ node: Node, at path: String) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard EmailTarget.isValidAddress(text) else {
            report(node, "\(path): '\(text)' is not a plain mail address (local@domain, without a name, brackets or spaces)")
            return nil
        }
        return text
    }

    private mutating func readEvents(_ node: Node, at path: String) -> Set<AlertEvent>? {
        guard case .sequence(let list) = node, !list.isEmpty else {
            report(node, "\(path): expected a list of events such as [backup_failed, backup_late], got \(node.kindDescription)")
            return nil
        }
        var events: Set<AlertEvent> = []
        let names = AlertEvent.allCases.map(\.rawValue)
        for item in list {
            guard let text = string(item, at: path) else { continue }
            guard let event = AlertEvent(rawValue: text) else {
                let hint = KeySuggestion.closest(to: text, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                report(item, "\(path): unknown event '\(text)'\(hint); one of \(names.joined(separator: ", "))")
                continue
            }
            events.insert(event)
        }
        return events
    }

    /// The top-level `heartbeat:`, or nil when a problem was reported.
    mutating func readHeartbeat(_ node: Node) -> HeartbeatPolicy? {
        guard let entries = mapping(node, at: "heartbeat", allowed: ["url", "url_secret", "every"]) else { return nil }
        let before = diagnostics.count
        var every = Duration.seconds(300)
        if let node = entries.first(where: { $0.key == "every" })?.value {
            every = duration(node, at: "heartbeat.every", in: .seconds(60)...(.seconds(86_400))) ?? every
        }
        let url = urlSource(Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }), in: node, at: "heartbeat")
        guard diagnostics.count == before, let url else { return nil }
        return HeartbeatPolicy(url: url, every: every)
    }

    /// `url:` or `url_secret:` of the mapping `node` (its `values`), checked.
    private mutating func urlSource(_ values: [String: Node], in node: Node, at path: String) -> URLSource? {
        switch (values["url"], values["url_secret"]) {
        case (let inline?, nil):
            guard let text = string(inline, at: path + ".url") else { return nil }
            if let problem = URLSource.problem(text) { report(inline, "\(path).url: \(problem)"); return nil }
            return .inline(text)
        case (nil, let secret?):
            return secretName(secret, at: path + ".url_secret").map(URLSource.secret)
        case (.some, .some):
            report(node, "\(path): give url or url_secret, not both")
            return nil
        case (nil, nil):
            report(node, "\(path): missing 'url' or 'url_secret' (the name of a secret file holding the URL: URLs often carry tokens)")
            return nil
        }
    }
}
