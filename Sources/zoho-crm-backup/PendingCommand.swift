import ArgumentParser

/// A command whose part of the product has not landed yet: it says which part, and fails.
protocol PendingCommand: AsyncParsableCommand {
    /// The part that brings this command, as the issue tracker names it.
    static var pendingPart: String { get }
}

extension PendingCommand {
    func run() async throws {
        Output.error("zoho-crm-backup \(String(describing: Self.self).lowercased()): not built yet — it arrives with \(Self.pendingPart). Nothing was done.")
        throw ExitCode.failure
    }
}
