import ArgumentParser
import Foundation
import Reconcile
import ZohoModel

extension ZohoCRMBackup {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read-only: observe Zoho and the archive, and print what run would do now.",
            discussion: "Changes nothing: no request that changes Zoho, no download, no state written (a token may be refreshed and cached).")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        struct Row: Encodable {
            var org: String
            var schedule: String
            var observed_at: Date?
            var zoho_job: BackupJob?
            var links_job_id: String?
            var links_expiry: Date?
            var actions: [String]
            /// Why nothing is done about Zoho's schedule now: typed reasons.
            var wait: [Wait]
            var error: String?
            var hint: String?
        }

        /// A ``WaitReason`` as JSON: `{"reason": "quota_used_up", "until": …, "message": …}`.
        struct Wait: Encodable {
            var reason: String
            var job_id: String?
            var until: Date?
            var message: String

            init(_ reason: WaitReason) {
                self.reason = reason.code
                job_id = reason.jobID
                until = reason.until
                message = reason.description
            }
        }

        func run() async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "plan")
            var rows: [Row] = []
            for target in view.orgs {
                let look = await view.worker(target).look()
                rows.append(Row(org: target.name, schedule: target.schedule.description, observed_at: look.remote?.observedAt,
                                zoho_job: look.remote?.job, links_job_id: look.remote?.linksJobID,
                                links_expiry: look.remote?.urls?.expiryDate, actions: look.actions.map(\.description),
                                wait: look.actions.compactMap { if case .wait(let why) = $0 { Wait(why) } else { nil } },
                                error: look.error?.message, hint: look.error?.hint))
            }
            if output.json {
                try Output.json(rows)
            } else {
                for row in rows { print(row) }
            }
            if rows.contains(where: { $0.error != nil }) { throw ExitCode.failure }
        }

        func print(_ row: Row) {
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
