import ArgumentParser
import Foundation
import Policy
import Supervisor

extension ZohoCRMBackup {
    /// `notify`: the alerts' destinations.
    struct Notify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Alerts: try each notify: destination by hand.",
            subcommands: [Test.self])

        /// `notify test`: a test message to each destination, and what each answered.
        struct Test: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Send a test message to each notify: destination (and ping the heartbeat check); print what each answered.",
                discussion: "Exit 1 when any destination did not take it. Messages are sent at once, not through the daemon's outbox; the JSON document carries \"test\": true.")
            @OptionGroup var policy: PolicyOption
            @OptionGroup var org: OrgOption
            @Option(name: .long, help: "Only the destination of this name (`heartbeat` for the heartbeat check).")
            var destination: String?
            @OptionGroup var output: JSONOption

            func run() async throws {
                let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
                let results = await NotifyTest.run(policy: context.policy, orgs: context.orgs, destination: destination,
                                                   includeHeartbeat: org.org == nil, secrets: SecretLookup())
                if output.json { try Output.json(results) } else {
                    if results.isEmpty {
                        Output.line(destination.map { "no destination named \($0) in \(policy.policy)" } ?? "no notify: destinations or heartbeat: in \(policy.policy)")
                    }
                    for result in results {
                        Output.line("\(result.destination) (\(result.kind)): \(result.delivered ? "delivered" : "FAILED") — \(result.answer)")
                    }
                }
                if results.isEmpty || results.contains(where: { !$0.delivered }) { throw ExitCode.failure }
            }
        }
    }
}
