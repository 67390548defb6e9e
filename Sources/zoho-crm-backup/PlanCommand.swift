import ArgumentParser
import Foundation
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read-only: observe Zoho and the archive, and print what run would do now.",
            discussion: "Changes nothing: no request that changes Zoho, no download, no state written (a token may be refreshed and cached).")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        func run() async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "plan")
            var rows: [OrgPlan] = []
            for target in view.orgs { rows.append(await view.worker(target).plan()) }
            if output.json {
                try Output.json(rows)
            } else {
                for row in rows { print(row) }
            }
            if rows.contains(where: { $0.error != nil }) { throw ExitCode.failure }
        }

        func print(_ row: OrgPlan) {
            Output.line("\(row.org) (schedule: \(row.schedule))")
            if let error = row.error {
                Output.line("  cannot observe Zoho: \(error)")
                return
            }
            if let job = row.zoho_job {
                var text = "  Zoho: \(job.status) \(job.rrule ?? "one-off backup") (job \(job.id))"
                if let next = job.scheduledDate { text += ", next run \(DaemonView.time(next))" }
                Output.line(text)
            } else {
                Output.line("  Zoho: no backup or schedule")
            }
            if let id = row.links_job_id {
                Output.line("  links: backup \(id)\(row.links_expiry.map { ", expire \(DaemonView.time($0))" } ?? "")")
            }
            if row.actions.isEmpty { Output.line("  nothing to do: Zoho and the archive match the policy") }
            for action in row.actions { Output.line("  - \(action)") }
            if row.wait.count == row.actions.count, !row.actions.isEmpty { Output.line("  (nothing to change now)") }
        }
    }
}
