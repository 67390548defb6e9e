import ArgumentParser
import Foundation
import Supervisor
import Systemd
import ZohoModel

extension ZohoCRMBackup {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per org: Zoho's schedule and job, next run, newest archived backup, freshness, links' expiry, errors.",
            discussion: """
                Shows the daemon's last observation and its age. Only when no daemon runs does it ask \
                Zoho itself (with the cached token), so `watch zoho-crm-backup status` never spends \
                Zoho's token budget. Exit 1 when an org's freshness or mass-change alarm is raised or it is failing.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        func run() async throws {
            try await report(now: Date())
        }

        /// Prints (or writes as JSON) every chosen org's row as of `now`; exit 1 on an alarm or a failing org.
        func report(now: Date) async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "status")
            let running = view.daemonRunning
            var rows: [OrgStatus] = []
            for target in view.orgs { rows.append(await view.worker(target).status(daemonRunning: running, now: now)) }
            if output.json {
                try Output.json(rows)
            } else {
                if !running { Output.line("(no daemon is running on \(view.policy.stateDir): Zoho observed now)") }
                for row in rows { print(row, now: now) }
            }
            if rows.contains(where: { $0.freshness_alarm || $0.mass_change_alarm || $0.last_error != nil || $0.offsite?.error != nil || $0.offsite?.check_error != nil }) {
                throw ExitCode.failure
            }
        }

        func print(_ row: OrgStatus, now: Date) {
            Output.line("\(row.org) (schedule: \(row.schedule))")
            if let zoho = row.zoho {
                var text = "  Zoho:       \(zoho.status) \(zoho.rrule ?? "one-off backup") (job \(zoho.job_id))"
                if let next = zoho.next_run { text += ", next run \(DaemonView.time(next))" }
                Output.line(text)
            } else {
                Output.line("  Zoho:       \(row.observation == "none" ? "not observed yet" : "no backup or schedule")")
            }
            if let at = row.observed_at {
                Output.line("  observed:   \(DaemonView.age(now.timeIntervalSince(at))) ago\(row.observation == "daemon" ? " by the daemon" : "")")
            }
            if let newest = row.newest_backup {
                Output.line("  archive:    \(row.backups) backup\(row.backups == 1 ? "" : "s"), newest \(DaemonView.time(newest.completed_at)) (\(DaemonView.age(Double(newest.age_seconds))) old)")
            } else {
                Output.line("  archive:    no backup yet")
            }
            Output.line("  freshness:  \(row.freshness_alarm ? "ALARM — " : "OK — ")\(row.freshness)")
            for hold in row.holds {
                let until = hold.expires_at.map { "until \(DaemonView.time($0))" } ?? "until released"
                if hold.isMassChange {
                    Output.line("  MASS CHANGE: \((hold.findings ?? []).joined(separator: "; ")) in backup \(hold.changed_in ?? "?")")
                    Output.line("               backup \(hold.backup) is held \(until); see `zoho-crm-backup diff --org \(row.org) \(hold.backup) \(hold.changed_in ?? "")`, end it with `zoho-crm-backup hold --org \(row.org) --release \(hold.backup)`")
                } else {
                    Output.line("  held:       backup \(hold.backup) \(until) — \(hold.reason)")
                }
            }
            if let offsite = row.offsite {
                let last = offsite.last_copy.map { "last copy \(DaemonView.time($0))\(offsite.last_snapshot.map { " (snapshot \($0))" } ?? "")" } ?? "no copy yet"
                Output.line("  off-site:   \(offsite.lag_backups == 0 ? "every backup copied" : "\(offsite.lag_backups) backup\(offsite.lag_backups == 1 ? "" : "s") not yet copied"); \(last); \(offsite.repository)")
                if let damage = offsite.check_error {
                    Output.line("  OFF-SITE CHECK FAILED: \(damage); see `journalctl -u zoho-crm-backup MESSAGE_ID=\(MessageID.offsiteCheckFailed.rawValue)`")
                }
                if let error = offsite.error {
                    Output.line("  OFF-SITE FAILING (\(offsite.error_kind ?? "error")): \(error)")
                    if let hint = offsite.hint { Output.line("               \(hint)") }
                }
            }
            for links in row.links_waiting {
                Output.line("  waiting:    backup \(links.job_id), \(links.parts) parts\(links.expires_at.map { ", links expire \(DaemonView.time($0))" } ?? "")")
            }
            for lost in row.lost_jobs { Output.line("  LOST:       backup \(lost): its links expired before it was archived") }
            for kept in row.quarantined {
                Output.line("  QUARANTINE: backup \(kept.job_id): \(kept.files.joined(separator: ", ")) kept in \(kept.folder) — \(kept.reason); check with unzip -t, remove the folder when done")
            }
            if let since = row.unconfirmed_request_since {
                Output.line("  unconfirmed: a backup request sent \(DaemonView.time(since)) may not have reached Zoho; the daemon checks before sending another")
            }
            if let until = row.quota_blocked_until {
                Output.line("  quota:      this month's backups are used up; no request before \(DaemonView.time(until))")
            }
            if let error = row.last_error {
                Output.line("  error:      \(error.message)")
                Output.line("  what to do: \(error.hint)")
            }
        }
    }
}
