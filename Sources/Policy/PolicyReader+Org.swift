import Foundation
import Yams
import ZohoModel

extension PolicyReader {
    static let orgKeys = ["data_center", "credentials", "schedule", "attachments", "poll_interval",
                          "timezone", "archive", "endpoints", "alert", "offsite", "notify"]
    static let requiredOrgKeys = ["data_center", "credentials", "schedule"]

    /// One org, or nil when a problem was reported.
    mutating func org(named name: String, keyNode: Node, node: Node, loader: PolicyLoader) -> OrgPolicy? {
        let before = diagnostics.count
        if !Self.isValidOrgName(name) {
            report(keyNode, "org name '\(name)' must be 1–63 characters of a-z, 0-9 and '-' (it is used in paths, logs and metrics)")
        }
        guard let entries = mapping(node, at: name, allowed: Self.orgKeys) else { return nil }
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        // A misspelt required key is reported once, as the unknown key with its "did you mean".
        let misspelt = Set(Self.rawKeys(node).filter { !Self.orgKeys.contains($0) }.compactMap { KeySuggestion.closest(to: $0, in: Self.orgKeys) })
        for key in Self.requiredOrgKeys where values[key] == nil && !misspelt.contains(key) {
            report(keyNode, "\(name): missing required key '\(key)'\(Self.requiredHint[key] ?? "")")
        }

        var dataCenter: DataCenter?, credentials: String?, schedule: BackupSchedule?
        if let node = values["data_center"] { dataCenter = readDataCenter(node) }
        if let node = values["credentials"] { credentials = readCredentialsName(node) }
        if let node = values["schedule"] { schedule = readSchedule(node) }
        var attachments = true
        if let node = values["attachments"] { attachments = bool(node, at: "attachments") ?? true }
        var poll = Duration.seconds(900)
        if let node = values["poll_interval"] {
            poll = duration(node, at: "poll_interval", in: .seconds(1)...(.seconds(86_400))) ?? poll
        }
        var zone = loader.systemTimeZone
        if let node = values["timezone"] { zone = readTimeZone(node) ?? zone }
        var archive = ArchivePolicy(path: "\(loader.baseDirectory)/archive/\(name)", keep: .default, minFree: ByteSize(bytes: 1 << 30))
        if let node = values["archive"] { archive = readArchive(node, default: archive) ?? archive }
        let endpoints = readEndpoints(values["endpoints"], dataCenter: dataCenter ?? .us)
        var maxAge = schedule?.defaultMaxAge
        var massChange = MassChangeLimits.default
        if let alertNode = values["alert"],
           let alert = mapping(alertNode, at: "alert", allowed: ["max_age", "max_deleted", "max_changed", "min_records", "hold_days"]) {
            for entry in alert {
                switch entry.key {
                case "max_age": maxAge = duration(entry.value, at: "alert.max_age", in: .seconds(3_600)...(.seconds(520 * 7 * 86_400)))
                case "max_deleted": massChange.maxDeleted = share(entry.value, at: "alert.max_deleted") ?? massChange.maxDeleted
                case "max_changed": massChange.maxChanged = share(entry.value, at: "alert.max_changed") ?? massChange.maxChanged
                case "min_records": massChange.minRecords = int(entry.value, at: "alert.min_records", in: 1...1_000_000_000) ?? massChange.minRecords
                default: massChange.holdDays = int(entry.value, at: "alert.hold_days", in: 1...3_650) ?? massChange.holdDays
                }
            }
        }

        var offsite: OffsitePolicy?
        if let node = values["offsite"], node.tagName != .null { offsite = readOffsite(node) }
        var notify: NotifyPolicy?
        if let node = values["notify"], node.tagName != .null { notify = readNotify(node) }

        guard diagnostics.count == before, let dataCenter, let credentials, let schedule, let endpoints else { return nil }
        return OrgPolicy(
            name: name, dataCenter: dataCenter, credentials: credentials,
            credentialsPosition: values["credentials"]?.position ?? SourcePosition(line: 0, column: 0),
            schedule: schedule, attachments: attachments, pollInterval: poll, timeZone: zone,
            archive: archive, endpoints: endpoints, maxAge: maxAge, massChange: massChange, offsite: offsite, notify: notify,
            position: keyNode.position ?? SourcePosition(line: 0, column: 0))
    }

    static let requiredHint = [
        "data_center": " (one of \(DataCenter.allCases.map(\.rawValue).joined(separator: " ")))",
        "credentials": " (the name of its credentials file, e.g. credentials: acme for acme.json)",
        "schedule": " (e.g. \"RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR\", or none, or unmanaged); there is no default, so that an existing Zoho schedule is never cancelled by surprise",
    ]

    static func rawKeys(_ node: Node) -> [String] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.keys.compactMap(\.string)
    }

    static func isValidOrgName(_ name: String) -> Bool {
        (1...63).contains(name.count) && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// A limit written as a percentage (`5%`, `12.5 %`) in (0, 100], or `off`: the share
    /// (0.05), `.some(nil)` for off, nil when a problem was reported.
    /// `allowsOff`: whether `off` is a value (it is not for a share that must be given).
    mutating func share(_ node: Node, at path: String, allowsOff: Bool = true) -> Double?? {
        guard case .scalar(let scalar) = node else {
            report(node, "\(path): expected a percentage such as 5%, or off, got \(node.kindDescription)")
            return nil
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        if allowsOff, text == "off" || (node.tagName == .bool && node.bool == false) { return .some(nil) }
        guard text.hasSuffix("%"), let value = Double(text.dropLast().trimmingCharacters(in: .whitespaces)), value.isFinite else {
            report(node, "\(path): '\(text)' is not a percentage; write it with its % sign (5%, 12.5%)\(allowsOff ? ", or off" : "")")
            return nil
        }
        guard value > 0, value <= 100 else {
            report(node, "\(path): must be more than 0% and at most 100%, got \(text)\(allowsOff ? " (off turns it off)" : "")")
            return nil
        }
        return .some(value / 100)
    }

    private mutating func readDataCenter(_ node: Node) -> DataCenter? {
        guard let text = string(node, at: "data_center") else { return nil }
        guard let dc = DataCenter(rawValue: text) else {
            let names = DataCenter.allCases.map(\.rawValue)
            let hint = KeySuggestion.closest(to: text, in: names).map { " (did you mean '\($0)'?)" } ?? ""
            report(node, "data_center: unknown data centre '\(text)'\(hint); one of \(names.joined(separator: " "))")
            return nil
        }
        return dc
    }

    private mutating func readCredentialsName(_ node: Node) -> String? {
        secretName(node, at: "credentials", file: { "\($0).json" })
    }

    /// The name of a secret file in the credentials folder (`credentials:`, `password_secret:`):
    /// letters, digits, `.`, `_` and `-`, not a path. `file` names the file it stands for.
    mutating func secretName(_ node: Node, at path: String, file: (String) -> String = { $0 }) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard SecretLookup.isValidName(text) else {
            report(node, "\(path): '\(text)' must be a name of letters, digits, '.', '_' and '-' (the file \(file(text)) in the credentials folder), not a path")
            return nil
        }
        return text
    }

    private mutating func readSchedule(_ node: Node) -> BackupSchedule? {
        guard let text = string(node, at: "schedule") else { return nil }
        do {
            return try BackupSchedule(parsing: text)
        } catch {
            report(node, "schedule: \(error.description)")
            return nil
        }
    }

    private mutating func readTimeZone(_ node: Node) -> TimeZone? {
        guard let text = string(node, at: "timezone") else { return nil }
        // Foundation's list lacks plain names such as UTC that tzdata has: accept either.
        let known = TimeZone.knownTimeZoneIdentifiers.contains(text)
            || (!text.contains("..") && FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/" + text))
        guard known, let zone = TimeZone(identifier: text) else {
            let hint = KeySuggestion.closest(to: text, in: TimeZone.knownTimeZoneIdentifiers).map { " (did you mean '\($0)'?)" } ?? ""
            report(node, "timezone: '\(text)' is not a known IANA time zone\(hint); e.g. Europe/Berlin, America/New_York, UTC")
            return nil
        }
        return zone
    }

    private mutating func readArchive(_ node: Node, default defaults: ArchivePolicy) -> ArchivePolicy? {
        guard let entries = mapping(node, at: "archive", allowed: ["path", "keep", "min_free"]) else { return nil }
        var result = defaults
        for entry in entries {
            switch entry.key {
            case "path":
                if let path = absolutePath(entry.value, at: "archive.path") {
                    if path == "/" { report(entry.value, "archive.path: must not be the root folder") } else { result.path = path }
                }
            case "keep":
                result.keep = readKeep(entry.value, at: "archive.keep", default: .default) ?? result.keep
            default:
                result.minFree = size(entry.value, at: "archive.min_free") ?? result.minFree
            }
        }
        return result
    }

    /// Retention counts at `path` (`archive.keep`, `offsite.keep`); keys not given keep `defaults`'.
    mutating func readKeep(_ node: Node, at path: String, default defaults: RetentionCounts) -> RetentionCounts? {
        let keys = ["last", "weekly", "monthly", "yearly"]
        guard let entries = mapping(node, at: path, allowed: keys) else { return nil }
        var counts = defaults
        let range = 0...RetentionCounts.maximum
        for entry in entries {
            let value = int(entry.value, at: "\(path).\(entry.key)", in: range)
            switch entry.key {
            case "last": counts.last = value ?? counts.last
            case "weekly": counts.weekly = value ?? counts.weekly
            case "monthly": counts.monthly = value ?? counts.monthly
            default: counts.yearly = value ?? counts.yearly
            }
        }
        if counts.last == 0, counts.weekly == 0, counts.monthly == 0, counts.yearly == 0 {
            report(node, "\(path): every count is 0, so every backup would be deleted once \(path == "archive.keep" ? "downloaded" : "copied"); keep at least last: 1")
            return nil
        }
        return counts
    }
}
