import Foundation
import Yams
import ZohoModel

/// Walks a composed YAML tree, turning nodes into values and collecting every problem with
/// its position instead of stopping at the first.
struct PolicyReader {
    let file: String
    private(set) var diagnostics: [PolicyDiagnostic] = []
    /// Problems found beyond those kept (``keptAtMost``): counted, not stored.
    private(set) var uncounted = 0
    /// Problems kept in memory at most; the loader shows the first ``PolicyLoader/shownAtMost``.
    static let keptAtMost = 10_000

    /// The lines of `defaults:`, and the org being read: a problem in a value the org
    /// inherited says so (its position is in `defaults:`).
    var inheritedLines: ClosedRange<Int>?
    var currentOrg: String?

    init(file: String) { self.file = file }

    mutating func report(_ position: SourcePosition?, _ message: String) {
        guard diagnostics.count < Self.keptAtMost else {
            uncounted += 1
            return
        }
        var text = message
        if let org = currentOrg, let line = position?.line, inheritedLines?.contains(line) == true {
            text += " (set in defaults:, inherited by org \(org))"
        }
        diagnostics.append(PolicyDiagnostic(file: file, position: position, message: text))
    }

    mutating func report(_ node: Node, _ message: String) {
        report(node.position, message)
    }

    /// The entries of a mapping, after reporting keys that are not `allowed` (with a "did you
    /// mean") and keys that are not plain strings. Nil (reported) when `node` is no mapping.
    mutating func mapping(_ node: Node, at path: String, allowed: [String]?) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(path): expected a mapping of keys (key: value), got \(node.kindDescription)")
            return nil
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(keyNode, "\(path): keys must be plain names, got \(keyNode.kindDescription)")
                continue
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                let hint = KeySuggestion.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                report(keyNode, "\(path.isEmpty ? "" : path + ": ")unknown key '\(key)'\(hint); known keys: \(allowed.joined(separator: ", "))")
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    /// A plain string value (a YAML string, not a number, bool or null written bare).
    mutating func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node, node.tagName == .str else {
            report(node, "\(path): expected text, got \(node.kindDescription)")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard case .scalar = node, node.tagName == .int, let value = node.int else {
            report(node, "\(path): expected a whole number \(range.lowerBound)–\(range.upperBound), got \(node.kindDescription)")
            return nil
        }
        guard range.contains(value) else {
            report(node, "\(path): must be \(range.lowerBound)–\(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, at path: String) -> Bool? {
        guard case .scalar = node, node.tagName == .bool, let value = node.bool else {
            report(node, "\(path): expected true or false, got \(node.kindDescription)")
            return nil
        }
        return value
    }

    mutating func duration(_ node: Node, at path: String, in range: ClosedRange<Duration>) -> Duration? {
        let text: String
        if case .scalar(let scalar) = node { text = scalar.string } else {
            report(node, "\(path): expected a duration such as 15m, 2h or 9d, got \(node.kindDescription)")
            return nil
        }
        guard let value = TimeSpan.parse(text) else {
            report(node, "\(path): '\(text)' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 15m, 2h, 9d")
            return nil
        }
        guard range.contains(value) else {
            report(node, "\(path): must be \(TimeSpan.format(range.lowerBound))–\(TimeSpan.format(range.upperBound)), got \(text)")
            return nil
        }
        return value
    }

    mutating func size(_ node: Node, at path: String) -> ByteSize? {
        guard case .scalar(let scalar) = node, let value = ByteSize(parsing: scalar.string) else {
            report(node, "\(path): expected a size such as 1GiB, 500MB or 0, got \(node.kindDescription)")
            return nil
        }
        return value
    }

    /// An absolute, normalised path (no `.`/`..` components, no trailing slash).
    mutating func absolutePath(_ node: Node, at path: String) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard text.hasPrefix("/") else {
            report(node, "\(path): must be an absolute path (starting with /), got '\(text)'")
            return nil
        }
        let parts = text.split(separator: "/")
        guard !parts.contains(".."), !parts.contains("."), !text.contains("\0") else {
            report(node, "\(path): must not contain '.' or '..' components, got '\(text)'")
            return nil
        }
        return "/" + parts.joined(separator: "/")
    }
}

extension Node {
    var position: SourcePosition? {
        mark.map { SourcePosition(line: $0.line, column: $0.column) }
    }

    /// What the node is, for "expected X, got Y" messages; scalar text is quoted and cut short.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar):
            if tagName == .null { return "nothing (null)" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            return "'\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

extension Node {
    /// The node's resolved YAML type (`!!str`, `!!int`, …): a quoted `"1"` is text, a bare `1` a number.
    var tagName: Tag.Name { Resolver.default.resolveTag(of: self) }
}
