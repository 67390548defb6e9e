import Foundation
import Yams
import ZohoModel

extension PolicyReader {
    static let topLevelKeys = ["version", "defaults", "orgs", "downloads", "metrics", "state_dir", "heartbeat"]
    /// Orgs in one policy at most (one daemon's work; more belong under another `state_dir`).
    static let maxOrgs = 10_000

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

        // `defaults:`: checked once for unknown keys; its values are read (and checked) in every org.
        var defaults: Node?
        if let node = values["defaults"], node.tagName != .null, let entries = mapping(node, at: "defaults", allowed: Self.orgKeys),
           case .mapping(let given) = node {
            // Unknown keys are reported once, here, and not handed to every org.
            defaults = .mapping(Node.Mapping(entries.map { ($0.keyNode, $0.value) }, given.tag, given.style, given.mark))
            inheritedLines = Self.lines(of: node)
        }

        var orgs: [OrgPolicy] = []
        if let node = values["orgs"] {
            if case .mapping(let all) = node, all.count > Self.maxOrgs {
                report(node, "orgs: at most \(Self.maxOrgs) orgs in one policy, got \(all.count); run several daemons, each with its own policy and state_dir")
            } else if node.tagName != .null, let orgEntries = mapping(node, at: "orgs", allowed: nil) {
                for entry in orgEntries {
                    var own = entry.value
                    if let defaults {
                        if own.tagName == .null { own = .mapping(Node.Mapping([], .implicit, .any, own.mark)) }
                        own = Self.merged(defaults, under: own)
                    }
                    currentOrg = entry.key
                    defer { currentOrg = nil }
                    if let org = org(named: entry.key, keyNode: entry.keyNode, node: Self.substituted(own, org: entry.key), loader: loader) {
                        orgs.append(org)
                    }
                }
            }
        } else {
            report(root, "missing required key 'orgs' (write 'orgs: {}' for none yet)")
        }

        checkPaths(orgs: orgs, stateDir: stateDir, stateDirNode: values["state_dir"])
        checkOffsitePaths(orgs: orgs, stateDir: stateDir)
        let heartbeat = values["heartbeat"].flatMap { $0.tagName == .null ? nil : readHeartbeat($0) }
        return Policy(file: file, version: 1, orgs: orgs, parallelDownloads: parallel,
                      metricsTextfile: textfile, stateDir: stateDir, heartbeat: heartbeat)
    }

    /// Archives are distinct and not nested; the state folder is outside every archive.
    private mutating func checkPaths(orgs: [OrgPolicy], stateDir: String, stateDirNode: Node?) {
        var comparisons = 0
        for (i, j) in Self.overlaps(orgs.map(\.archive.path), comparisons: &comparisons) {
            let (org, other) = (orgs[i], orgs[j])
            report(org.position, "archive.path: '\(org.archive.path)' overlaps org \(other.name)'s archive '\(other.archive.path)'; each org needs its own folder")
        }
        for org in orgs {
            if Self.isInside(org.archive.path, stateDir) {
                report(org.position, "archive.path: '\(org.archive.path)' is inside state_dir '\(stateDir)'; keep archives outside the state folder")
            }
        }
        if let org = orgs.first(where: { Self.isInside(stateDir, $0.archive.path) }) {
            report(stateDirNode?.position ?? org.position,
                   "state_dir: '\(stateDir)' is inside org \(org.name)'s archive '\(org.archive.path)'; keep state outside every archive")
        }
    }

    /// Pairs `(i, j)` of paths where one equals or contains the other, `j` the one it is
    /// reported against, in O(n log n): sorted as folders (`path/`), a path overlaps an
    /// earlier one exactly when one of the folders still "open" above it contains it — a
    /// stack of those is all the scan needs. `comparisons` counts the string comparisons.
    static func overlaps(_ paths: [String], comparisons: inout Int) -> [(Int, Int)] {
        let folders = paths.map { $0 == "/" ? "/" : $0 + "/" }
        var count = 0
        let order = paths.indices.sorted { a, b in
            count += 1
            return (folders[a], a) < (folders[b], b)
        }
        var open: [Int] = []
        var found: [(Int, Int)] = []
        for index in order {
            while let top = open.last {
                count += 1
                if folders[index].hasPrefix(folders[top]) { break }
                open.removeLast()
            }
            if let top = open.last { found.append((index, top)) }
            open.append(index)
        }
        comparisons += count
        return found
    }

    /// True when `path` equals `folder` or lies below it.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }

    static func overlap(_ a: String, _ b: String) -> Bool { isInside(a, b) || isInside(b, a) }
}
