import ArgumentParser
import Foundation
import Policy
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    /// `history`: Zoho's backup history of each org, every page.
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Zoho's backup history, all pages (Zoho keeps one year).",
            discussion: "Uses the org's cached access token (shared with the daemon) and refreshes it only when needed.")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        func run() async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "history")
            var results: [OrgHistory] = []
            for target in view.orgs { results.append(await view.worker(target).history()) }
            let orgs = view.orgs
            if output.json {
                try Output.json(results, zone: orgs.first?.timeZone)
            } else {
                for result in results { show(result, zone: orgs.first { $0.name == result.org }?.timeZone ?? .current) }
            }
            if results.contains(where: { $0.error != nil }) { throw ExitCode.failure }
        }

        func show(_ result: OrgHistory, zone: TimeZone) {
            if let error = result.error {
                Output.error(error)
                return
            }
            let entries = result.entries ?? []
            Output.line("\(result.org): \(entries.isEmpty ? "no backup history" : "\(entries.count) entries, newest first")")
            for e in entries {
                let time = e.logTime.map { ZohoDate.format($0, in: zone) } ?? "-"
                let what = e.action ?? e.state ?? "-"
                Output.line("  \(time)  \(what.padding(toLength: 10, withPad: " ", startingAt: 0)) \((e.repeatType ?? "-").padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.doneBy?.name ?? "")")
            }
        }
    }
}

/// `--org`: one org by name, or all; a name not in the policy is a usage error.
enum OrgSelection {
    static func select(_ name: String?, in policy: Policy) throws -> [OrgPolicy] {
        guard let name else { return policy.orgs }
        guard let org = policy.org(name) else {
            throw ValidationError("org '\(name)' is not in \(policy.file); it has: \(policy.orgs.map(\.name).joined(separator: ", "))")
        }
        return [org]
    }
}
