import ArgumentParser

extension ZohoCRMBackup {
    struct Demo: PendingCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the whole cycle against the built-in simulator in a temporary folder, for a first look.")
        static let pendingPart = "the supervisor (\"The reconcile core and the supervisor\")"
    }
}
