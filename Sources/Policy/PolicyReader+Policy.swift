import Foundation
import Yams
import ZohoModel

extension PolicyReader {
    static let topLevelKeys = ["version", "orgs", "downloads", "metrics", "state_dir"]

    /// The whole policy, or nil when a problem was reported.
    mutating func policy(_ root: Node, loader: PolicyLoader) -> Policy? {
        guard case .mapping = root else {
            report(root, "the policy must be a YAML mapping with 'version: 1' and 'orgs:', got \(root.kindDescription)")
            return nil
        }
        guard let entries = mapping(root, at: "", allowed: Self.topLevelKeys) else { return nil }
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })

        if let versionNode = values["version"] {
            if let version = int(versionNode, at: "version", in: 0...Int.max), version != 1 {
                report(versionNode, "version: this daemon reads policy version 1, got \(version)")
            }
        } else {
            report(root, "missing required key 'version' (write 'version: 1' at the top)")
        }

        var parallel = 2
        if let node = values["downloads"], let downloads = mapping(node, at: "downloads", allowed: ["parallel"]) {
            for entry in downloads where entry.key == "parallel" {
                parallel = int(entry.value, at: "downloads.parallel", in: 1...16) ?? parallel
            }
        }

        var textfile: String?
        if let node = values["metrics"], let metrics = mapping(node, at: "metrics", allowed: ["textfile"]) {
            for entry in metrics where entry.key == "textfile" {
                textfile = absolutePath(entry.value, at: "metrics.textfile")
                if let path = textfile, !path.hasSuffix(".prom") {
                    report(entry.value, "metrics.textfile: node_exporter reads only files ending in .prom, got '\(path)'")
                }
            }
        }

        let stateDir = values["state_dir"].flatMap { absolutePath($0, at: "state_dir") }
            ?? loader.baseDirectory + "/state"

        var orgs: [OrgPolicy] = []
        if let node = values["orgs"] {
            if node.tagName != .null, let orgEntries = mapping(node, at: "orgs", allowed: nil) {
                for entry in orgEntries {
                    if let org = org(named: entry.key, keyNode: entry.keyNode, node: entry.value, loader: loader) {
                        orgs.append(org)
                    }
                }
            }
        } else {
            report(root, "missing required key 'orgs' (write 'orgs: {}' for none yet)")
        }

        checkPaths(orgs: orgs, stateDir: stateDir, stateDirNode: values["state_dir"])
        return Policy(file: file, version: 1, orgs: orgs, parallelDownloads: parallel,
                      metricsTextfile: textfile, stateDir: stateDir)
    }

    /// Archives are distinct and not nested; the state folder is outside every archive.
    private mutating func checkPaths(orgs: [OrgPolicy], stateDir: String, stateDirNode: Node?) {
        for (i, org) in orgs.enumerated() {
            for other in orgs[..<i] where Self.overlap(org.archive.path, other.archive.path) {
                report(org.position, "archive.path: '\(org.archive.path)' overlaps org \(other.name)'s archive '\(other.archive.path)'; each org needs its own folder")
            }
            if Self.isInside(org.archive.path, stateDir) {
                report(org.position, "archive.path: '\(org.archive.path)' is inside state_dir '\(stateDir)'; keep archives outside the state folder")
            }
        }
        if let org = orgs.first(where: { Self.isInside(stateDir, $0.archive.path) }) {
            report(stateDirNode?.position ?? org.position,
                   "state_dir: '\(stateDir)' is inside org \(org.name)'s archive '\(org.archive.path)'; keep state outside every archive")
        }
    }

    /// True when `path` equals `folder` or lies below it.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }

    static func overlap(_ a: String, _ b: String) -> Bool { isInside(a, b) || isInside(b, a) }
}
