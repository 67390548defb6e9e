import ArgumentParser
import BackupArchive
import Foundation
import Policy
import Reconcile
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per org: Zoho's schedule and job, next run, newest archived backup, freshness, links' expiry, errors.",
            discussion: """
                Shows the daemon's last observation and its age. Only when no daemon runs does it ask \
                Zoho itself (with the cached token), so `watch zoho-crm-backup status` never spends \
                Zoho's token budget. Exit 1 when an org's freshness alarm is raised or it is failing.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        struct Row: Encodable {
            struct Zoho: Encodable {
                var job_id: String
                var rrule: String?
                var status: String
                var next_run: Date?
            }
            struct Newest: Encodable {
                var folder: String
                var job_id: String
                var completed_at: Date
                var age_seconds: Int
            }
            struct Links: Encodable {
                var job_id: String
                var parts: Int
                var expires_at: Date?
            }
            struct Quarantine: Encodable {
                var job_id: String
                var folder: String
                var files: [String]
                var reason: String
            }
            struct Problem: Encodable {
                var kind: String
                var message: String
                var hint: String
                var at: Date
                var job_id: String?
            }
            var org: String
            var schedule: String
            var daemon_running: Bool
            /// "daemon": the daemon's last observation; "live": observed now; "none".
            var observation: String
            var observed_at: Date?
            var zoho: Zoho?
            var backups: Int
            var newest_backup: Newest?
            var freshness: String
            var freshness_alarm: Bool
            var links_waiting: [Links]
            var lost_jobs: [String]
            /// Parts kept in the archive's `.quarantine/` (never deleted by the daemon).
            var quarantined: [Quarantine]
            var unconfirmed_request_since: Date?
            var quota_blocked_until: Date?
            var last_success: Date?
            var last_error: Problem?
        }

        func run() async throws {
            try await report(now: Date())
        }

        /// Prints (or writes as JSON) every chosen org's row as of `now`; exit 1 on an alarm or a failing org.
        func report(now: Date) async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "status")
            let running = view.daemonRunning
            var rows: [Row] = []
            for target in view.orgs { rows.append(await row(for: target, view: view, daemonRunning: running, now: now)) }
            if output.json {
                try Output.json(rows)
            } else {
                if !running { Output.line("(no daemon is running on \(view.policy.stateDir): Zoho observed now)") }
                for row in rows { print(row, now: now) }
            }
            if rows.contains(where: { $0.freshness_alarm || $0.last_error != nil }) { throw ExitCode.failure }
        }

        func row(for target: OrgPolicy, view: DaemonView, daemonRunning: Bool, now: Date) async -> Row {
            let store = StateStore(stateDir: view.policy.stateDir, org: target.name)
            let state = (try? store.read()) ?? nil
            var remote = state?.lastObservation
            var observation = remote == nil ? "none" : "daemon"
            var problem = state?.lastError
            if !daemonRunning {
                let look = await view.worker(target).look()
                if let live = look.remote {
                    remote = live
                    observation = "live"
                }
                if let error = look.error { problem = error }
            }
            let folder = ArchiveFolder(path: target.archive.path, org: target.name, minFree: target.archive.minFree,
                                       logger: .init(label: "zoho-crm-backup"))
            let backups = folder.backups()
            let newest = backups.max { $0.manifest.completedAt < $1.manifest.completedAt }
            let freshness = Freshness.evaluate(newestBackup: newest?.manifest.completedAt, watchingSince: state?.watchingSince ?? now,
                                               maxAge: target.maxAge, now: now)
            let job = remote?.job
            var next = job?.isActiveRecurring == true ? job?.scheduledDate : nil
            if next == nil, job?.isActiveRecurring == true, let text = job?.rrule, let rule = try? RRule(parsing: text) {
                next = rule.nextOccurrence(after: now, anchor: job?.startDate ?? now, timeZone: target.timeZone)
            }
            let known = Set(backups.map(\.manifest.jobID))
            var waiting = (state?.seenJobs.values.map { Row.Links(job_id: $0.jobID, parts: $0.links.count, expires_at: $0.expiry) } ?? [])
            if let remote, let id = remote.linksJobID, !known.contains(id), !waiting.contains(where: { $0.job_id == id }),
               !(state?.lostJobs.contains(id) ?? false) {
                waiting.append(Row.Links(job_id: id, parts: remote.urls?.allLinks.count ?? 0, expires_at: remote.urls?.expiryDate))
            }
            return Row(
                org: target.name, schedule: target.schedule.description, daemon_running: daemonRunning,
                observation: observation, observed_at: remote?.observedAt,
                zoho: job.map { Row.Zoho(job_id: $0.id, rrule: $0.rrule, status: $0.status.rawValue, next_run: next) },
                backups: backups.count,
                newest_backup: newest.map { Row.Newest(folder: $0.folder, job_id: $0.manifest.jobID, completed_at: $0.manifest.completedAt,
                                                       age_seconds: Int(now.timeIntervalSince($0.manifest.completedAt))) },
                freshness: freshness.description, freshness_alarm: freshness.isAlarm,
                links_waiting: waiting.sorted { $0.job_id < $1.job_id }, lost_jobs: state?.lostJobs ?? [],
                quarantined: folder.quarantined().map { Row.Quarantine(job_id: $0.jobID, folder: $0.folder, files: $0.files, reason: $0.reason) },
                unconfirmed_request_since: state?.pendingPost?.sentAt, quota_blocked_until: state?.quotaBlockedUntil,
                last_success: state?.lastSuccess,
                last_error: problem.map { Row.Problem(kind: $0.kind, message: $0.message, hint: $0.hint, at: $0.at, job_id: $0.jobID) })
        }

        func print(_ row: Row, now: Date) {
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
