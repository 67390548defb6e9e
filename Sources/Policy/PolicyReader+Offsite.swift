import Foundation
import Yams
import ZohoModel

/// `offsite:` — the copy of every backup into a restic repository.
extension PolicyReader {
    static let offsiteKeys = ["repository", "password_secret", "environment_secret", "keep", "check", "required", "restic"]

    /// An org's `offsite:`, or nil when a problem was reported.
    mutating func readOffsite(_ node: Node) -> OffsitePolicy? {
        guard let entries = mapping(node, at: "offsite", allowed: Self.offsiteKeys) else { return nil }
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let before = diagnostics.count
        for key in ["repository", "password_secret"] where values[key] == nil {
            report(node, "offsite: missing required key '\(key)'" + (key == "repository"
                ? " (a local folder such as /mnt/nas/restic, or s3:https://…, sftp:…, rest:https://…, rclone:remote:path)"
                : " (the name of a secret file in the credentials folder holding the repository password)"))
        }
        var result = OffsitePolicy(repository: "", passwordSecret: "", position: node.position ?? SourcePosition(line: 0, column: 0))
        for entry in entries {
            switch entry.key {
            case "repository": result.repository = repository(entry.value) ?? ""
            case "password_secret": result.passwordSecret = secretName(entry.value, at: "offsite.password_secret") ?? ""
            case "environment_secret": result.environmentSecret = secretName(entry.value, at: "offsite.environment_secret")
            case "keep": result.keep = readKeep(entry.value, at: "offsite.keep", default: OffsitePolicy.defaultKeep) ?? result.keep
            case "check": result.check = readOffsiteCheck(entry.value) ?? result.check
            case "required": result.required = bool(entry.value, at: "offsite.required") ?? false
            default: result.restic = absolutePath(entry.value, at: "offsite.restic")
            }
        }
        return diagnostics.count == before ? result : nil
    }

    /// A repository string restic takes: an absolute path, or `<backend>:…`.
    private mutating func repository(_ node: Node) -> String? {
        guard let text = string(node, at: "offsite.repository") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.contains("\0"), !trimmed.contains("\n") else {
            report(node, "offsite.repository: must not be empty")
            return nil
        }
        if let local = OffsitePolicy.localPath(of: trimmed) {
            let parts = local.split(separator: "/")
            guard !parts.contains(".."), !parts.contains("."), local != "/" else {
                report(node, "offsite.repository: '\(trimmed)' must be an absolute folder without '.' or '..' components, not the root folder")
                return nil
            }
            return (trimmed.hasPrefix("local:") ? "local:" : "") + "/" + parts.joined(separator: "/")
        }
        let backend = trimmed.prefix { $0 != ":" }
        guard trimmed.contains(":"), OffsitePolicy.backends.contains(String(backend)) else {
            report(node, "offsite.repository: '\(OffsitePolicy.redacted(trimmed))' is neither an absolute folder nor a restic repository; "
                   + "write /mnt/nas/restic, s3:https://host/bucket/path, sftp:user@host:/path, rest:https://host/, rclone:remote:path "
                   + "(restic's backends: \(OffsitePolicy.backends.joined(separator: ", ")))")
            return nil
        }
        return trimmed
    }

    private mutating func readOffsiteCheck(_ node: Node) -> OffsitePolicy.Check? {
        guard let entries = mapping(node, at: "offsite.check", allowed: ["every", "read_data_subset"]) else { return nil }
        var check = OffsitePolicy.Check.default
        for entry in entries {
            if entry.key == "every" {
                check.every = duration(entry.value, at: "offsite.check.every", in: .seconds(3_600)...(.seconds(366 * 86_400))) ?? check.every
            } else if let share = share(entry.value, at: "offsite.check.read_data_subset", allowsOff: false) {
                check.readDataSubset = share ?? check.readDataSubset
            }
        }
        return check
    }

    /// Off-site repositories are not inside an archive or the state folder (restic would copy
    /// itself, or retention would see it), and local ones are absolute folders.
    mutating func checkOffsitePaths(orgs: [OrgPolicy], stateDir: String) {
        for org in orgs {
            guard let offsite = org.offsite, let path = offsite.localPath else { continue }
            if let other = orgs.first(where: { Self.overlap(path, $0.archive.path) }) {
                report(offsite.position, "offsite.repository: '\(path)' overlaps org \(other.name)'s archive '\(other.archive.path)'; a repository needs a folder of its own, ideally on another disk or machine")
            } else if Self.overlap(path, stateDir) {
                report(offsite.position, "offsite.repository: '\(path)' overlaps state_dir '\(stateDir)'; put the repository in a folder of its own, ideally on another disk or machine")
            }
        }
    }
}
