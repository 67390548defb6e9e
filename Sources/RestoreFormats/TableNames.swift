/// Names for tables and sheets that the target accepts and that stay apart: shortened,
/// cleaned of characters it refuses, and made unique (compared without case, as SQLite and
/// Excel compare them). Each name given out is remembered.
public struct TableNames: Sendable {
    /// The longest name, in UTF-16 units (Excel's sheet names: 31).
    public let limit: Int
    /// Characters replaced by `_` (Excel's sheet names: `[]:*?/\`).
    public let forbidden: Set<Character>
    private var taken: Set<String>

    /// Names of at most `limit` units without `forbidden`; `reserved` are never given out.
    public init(limit: Int = .max, forbidden: Set<Character> = [], reserved: [String] = []) {
        self.limit = limit
        self.forbidden = forbidden
        taken = Set(reserved.map { $0.lowercased() })
    }

    /// Excel's rules for sheet names, with "About" (the first sheet) and "History" (Excel's) reserved.
    public static func excelSheets() -> TableNames {
        TableNames(limit: 31, forbidden: ["[", "]", ":", "*", "?", "/", "\\"], reserved: ["About", "History"])
    }

    /// A name for `wanted` followed by `suffix` (kept whole: `" (2)"` of a continued sheet).
    public mutating func name(for wanted: String, suffix: String = "") -> String {
        var base = String(wanted.map { forbidden.contains($0) || $0.isNewline || $0 == "\0" ? "_" : $0 })
        if limit < .max {   // Excel: no apostrophe first or last
            while base.hasPrefix("'") { base.removeFirst() }
            while base.hasSuffix("'") { base.removeLast() }
        }
        if base.isEmpty { base = "Sheet" }
        var candidate = cut(base, to: limit - suffix.utf16.count) + suffix
        var n = 2
        while taken.contains(candidate.lowercased()) {
            let mark = "~\(n)"
            candidate = cut(base, to: limit - suffix.utf16.count - mark.utf16.count) + mark + suffix
            n += 1
        }
        taken.insert(candidate.lowercased())
        return candidate
    }

    /// ``cut(_:to:)``, and for Excel no apostrophe left last by the cut.
    private func cut(_ text: String, to units: Int) -> String {
        var result = Self.cut(text, to: units)
        if limit < .max { while result.hasSuffix("'") { result.removeLast() } }
        return result.isEmpty ? "Sheet" : result
    }

    /// The longest prefix of `text` of at most `units` UTF-16 units, whole characters only.
    static func cut(_ text: String, to units: Int) -> String {
        guard text.utf16.count > units else { return text }
        var result = ""
        var count = 0
        for character in text {
            let width = character.utf16.count
            guard count + width <= units else { break }
            result.append(character)
            count += width
        }
        return result
    }
}
