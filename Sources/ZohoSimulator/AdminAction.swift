import Foundation

/// Something an admin does in Zoho's web UI between two backups; the next backup shows it.
/// Given to ``SimulatedZoho/admin(_:)`` by tests and typed on the `simulator` command's
/// standard input (``parse(_:)``).
public enum AdminAction: Sendable, Hashable, CustomStringConvertible {
    /// Deletes `percent` % of a module's records.
    case massDelete(module: String, percent: Double)
    /// Edits `percent` % of a module's records.
    case massEdit(module: String, percent: Double)
    /// Adds a custom field (a new column, empty until records are edited).
    case addField(module: String, header: String)
    /// Renames a column's header (the values stay).
    case renameColumn(module: String, from: String, to: String)
    /// Gives a module a label: its CSV files are named after the label from then on.
    case renameModule(module: String, label: String)

    /// The module the action touches (its API name, as ``SimulatedDataset/moduleNames`` lists them).
    public var module: String {
        switch self {
        case .massDelete(let m, _), .massEdit(let m, _), .addField(let m, _), .renameColumn(let m, _, _), .renameModule(let m, _): m
        }
    }

    /// The action as it is typed: `mass-change Contacts delete 30`, `add-field Leads "Budget 2027"`,
    /// `rename-column Leads Email "E-mail address"`, `rename-module Accounts Clienti`.
    public var description: String {
        switch self {
        case .massDelete(let m, let p): "mass-change \(m) delete \(Self.number(p))"
        case .massEdit(let m, let p): "mass-change \(m) edit \(Self.number(p))"
        case .addField(let m, let h): "add-field \(m) \(Self.quoted(h))"
        case .renameColumn(let m, let from, let to): "rename-column \(m) \(Self.quoted(from)) \(Self.quoted(to))"
        case .renameModule(let m, let label): "rename-module \(m) \(Self.quoted(label))"
        }
    }

    /// Parses a typed action (words separated by spaces; double quotes group words).
    /// - Returns: the action, or why the line is not one.
    public static func parse(_ line: String) -> Result<AdminAction, ParseError> {
        let words = split(line)
        let usage = "expected: mass-change MODULE delete|edit PERCENT, add-field MODULE HEADER, rename-column MODULE FROM TO, or rename-module MODULE LABEL"
        guard let verb = words.first else { return .failure(ParseError(description: usage)) }
        switch (verb, words.count) {
        case ("mass-change", 4):
            guard let percent = Double(words[3]), percent > 0, percent <= 100 else {
                return .failure(ParseError(description: "mass-change: '\(words[3])' is not a percentage in (0, 100]"))
            }
            switch words[2] {
            case "delete": return .success(.massDelete(module: words[1], percent: percent))
            case "edit": return .success(.massEdit(module: words[1], percent: percent))
            default: return .failure(ParseError(description: "mass-change: '\(words[2])' is neither delete nor edit"))
            }
        case ("add-field", 3): return .success(.addField(module: words[1], header: words[2]))
        case ("rename-column", 4): return .success(.renameColumn(module: words[1], from: words[2], to: words[3]))
        case ("rename-module", 3): return .success(.renameModule(module: words[1], label: words[2]))
        default: return .failure(ParseError(description: "'\(line)': \(usage)"))
        }
    }

    /// Why a typed line is not an action.
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for c in line {
            if c == "\"" { quoted.toggle(); started = true; continue }
            if c == " " && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
                continue
            }
            current.append(c)
            started = true
        }
        if started { words.append(current) }
        return words
    }

    static func number(_ p: Double) -> String { p == p.rounded() ? String(Int(p)) : String(p) }
    static func quoted(_ s: String) -> String { s.contains(" ") ? "\"\(s)\"" : s }
}
