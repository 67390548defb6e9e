import Foundation
import Yams
import ZohoModel

/// Reads and validates the policy file.
///
/// Every problem is reported at once with its file, line and column (see ``PolicyError``);
/// nothing is used until the whole file is valid, so a bad edit never half-applies.
public struct PolicyLoader: Sendable {
    /// Files larger than this are refused: a policy is a few KiB.
    public static let maximumSize = 1 << 20
    /// Where the package installs the policy.
    public static let defaultPath = "/etc/zoho-crm-backup/policy.yaml"

    /// The process environment, for `STATE_DIRECTORY` (systemd's `StateDirectory=`).
    public var environment: [String: String]
    /// The zone an org without `timezone:` uses.
    public var systemTimeZone: TimeZone

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                systemTimeZone: TimeZone = .current) {
        self.environment = environment
        self.systemTimeZone = systemTimeZone
    }

    /// The base of default paths: systemd's `$STATE_DIRECTORY` (its first entry), else
    /// `/var/lib/zoho-crm-backup`.
    public var baseDirectory: String {
        if let dir = environment["STATE_DIRECTORY"]?.split(separator: ":").first, dir.hasPrefix("/") {
            return String(dir)
        }
        return "/var/lib/zoho-crm-backup"
    }

    /// Reads the policy at `path`.
    ///
    /// - Throws: ``PolicyError`` with one diagnostic for a file that cannot be a policy
    ///   (missing, a folder, unreadable, over 1 MiB, not UTF-8 text, empty, not YAML), or
    ///   one per problem found in a YAML policy.
    public func load(path: String) throws(PolicyError) -> Policy {
        let text = try readText(path)
        return try parse(text, file: path)
    }

    /// Problems shown at most; the rest are counted ("and N more").
    public static let shownAtMost = 100

    /// The first node (in document order) that carries an anchor: its definition, which comes
    /// before any alias of it — so the search stops before anything aliased is walked twice.
    static func firstAnchor(in root: Node) -> (name: String, position: SourcePosition?)? {
        var stack = [root]
        while let node = stack.popLast() {
            if let anchor = node.anchor {
                return (anchor.rawValue, node.mark.map { SourcePosition(line: $0.line, column: $0.column) })
            }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() { stack.append(value); stack.append(key) }
            case .sequence(let sequence):
                stack.append(contentsOf: sequence.reversed())
            case .scalar, .alias:
                break
            }
        }
        return nil
    }

    /// Validates policy text; `file` names it in diagnostics.
    public func parse(_ text: String, file: String) throws(PolicyError) -> Policy {
        func fail(_ position: SourcePosition?, _ message: String) -> PolicyError {
            PolicyError([PolicyDiagnostic(file: file, position: position, message: message)])
        }
        if let found = AnchorScan.first(in: text) {
            throw fail(SourcePosition(line: found.line, column: found.column),
                       "YAML \(found.isAlias ? "aliases" : "anchors and aliases") (\(found.isAlias ? "*" : "&")\(found.name)) are not accepted in a policy file: an alias can make a small file take minutes to read. Put settings shared by orgs under `defaults:` instead")
        }
        let root: Node
        do {
            // A second net after the scan: the parser keeps the anchors alive while the tree is searched for one.
            let parser = try Yams.Parser(yaml: text)
            guard let node = try parser.singleRoot() else {
                throw fail(nil, "the file is empty; a policy needs at least 'version: 1' and 'orgs: {}'")
            }
            if let anchored = withExtendedLifetime(parser, { Self.firstAnchor(in: node) }) {
                throw fail(anchored.position, "YAML anchors and aliases (&\(anchored.name)) are not accepted in a policy file: an alias can make a small file take minutes to read. Put settings shared by orgs under `defaults:` instead")
            }
            root = node
        } catch let error as PolicyError {
            throw error
        } catch let error as YamlError {
            let (position, message) = Self.describe(error)
            throw fail(position, "not valid YAML: \(message)")
        } catch {
            throw fail(nil, "not valid YAML: \(error)")
        }
        var reader = PolicyReader(file: file)
        let policy = reader.policy(root, loader: self)
        guard reader.diagnostics.isEmpty, let policy else {
            let sorted = reader.diagnostics.sorted { ($0.position?.line ?? 0, $0.position?.column ?? 0) < ($1.position?.line ?? 0, $1.position?.column ?? 0) }
            var shown = Array(sorted.prefix(Self.shownAtMost))
            let more = sorted.count - shown.count + reader.uncounted
            if more > 0 {
                shown.append(PolicyDiagnostic(file: file, position: nil, message: "and \(more) more problem\(more == 1 ? "" : "s") (the first \(Self.shownAtMost) are shown)"))
            }
            throw PolicyError(shown, total: sorted.count + reader.uncounted)
        }
        return policy
    }

    private func readText(_ path: String) throws(PolicyError) -> String {
        func fail(_ message: String) -> PolicyError {
            PolicyError([PolicyDiagnostic(file: path, position: nil, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("no such file; write a policy there (an example: config/policy.example.yaml, or /usr/share/doc/zoho-crm-backup/policy.example.yaml from the package), or give another with --policy")
        }
        guard !isDirectory.boolValue else {
            throw fail("is a directory, not a policy file; give the YAML file itself, e.g. --policy \(path.hasSuffix("/") ? path : path + "/")policy.yaml")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("cannot be read (\(String(cString: strerror(errno)))); check its permissions and that you run as root or the zoho-crm-backup user")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.maximumSize + 1) ?? Data()
        } catch {
            throw fail("cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= Self.maximumSize else {
            throw fail("is larger than 1 MiB; a policy file is a few KiB — is this the right file?")
        }
        if let nul = data.firstIndex(of: 0) {
            throw fail("is not a text file (binary data at byte \(nul)); a policy is YAML text")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("is not UTF-8 text; a policy is YAML text in UTF-8")
        }
        return text
    }

    /// The position and problem of a Yams error, without echoing the file's text.
    private static func describe(_ error: YamlError) -> (SourcePosition?, String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { "\(problem) (\($0.text))" } ?? problem
            return (SourcePosition(line: mark.line, column: mark.column), detail)
        case .reader(let problem, _, _, _):
            return (nil, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (SourcePosition(line: context.mark.line, column: context.mark.column),
                    "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in this mapping; each key may appear once")
        default:
            return (nil, "\(error)")
        }
    }
}
