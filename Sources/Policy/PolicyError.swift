/// One problem in a policy file, with its position when it has one.
public struct PolicyDiagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String
    /// Nil for problems with the file as a whole (missing, too large, not text).
    public var position: SourcePosition?
    public var message: String

    public init(file: String, position: SourcePosition?, message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    /// `file:line:column: message`, like compilers and `nginx -t`.
    public var description: String {
        guard let position else { return "\(file): \(message)" }
        return "\(file):\(position.line):\(position.column): \(message)"
    }
}

/// A policy that cannot be used, with every problem found (not just the first).
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]
    /// Problems found, counting those beyond the ones shown (the last diagnostic then says
    /// "and N more").
    public var total: Int

    public init(_ diagnostics: [PolicyDiagnostic], total: Int? = nil) {
        self.diagnostics = diagnostics
        self.total = total ?? diagnostics.count
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
