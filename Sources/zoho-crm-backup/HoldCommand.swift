import ArgumentParser
import Foundation
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct HoldBackup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold",
            abstract: "Keep a backup whatever retention says (a legal hold), end a hold, or list the holds.",
            discussion: """
                `hold BACKUP [--reason TEXT]` pins a backup until `hold --release BACKUP` ends it; a hold made \
                by hand never expires. The daemon holds the last backup before a mass change by itself, for \
                alert.hold_days; `--release` ends that hold too, and with it the alarm. A hold wins over every \
                removal; a released backup is decided on again by the next cycle's retention. Holds are kept in \
                the archive folder (.holds.json), beside the backups. Without a backup: lists the holds in force. \
                As root, runs as the zoho-crm-backup user.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Option(name: .long, help: "Why it is held (shown by list, prune --dry-run and status).")
        var reason: String?
        @Flag(name: .long, help: "End the backup's holds instead.")
        var release = false
        @Argument(help: ArgumentHelp("The backup: a folder name or job id from `list`.", valueName: "backup"))
        var backup: String?

        func validate() throws {
            if backup == nil, release || reason != nil { throw ValidationError("name the backup to \(release ? "release" : "hold")") }
            if release, reason != nil { throw ValidationError("--reason goes with a new hold, not with --release") }
        }

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            guard let backup else { return try list(context) }
            let chosen = try context.choose([backup])
            guard chosen.count == 1, let (target, summary) = chosen.first else {
                throw ValidationError("'\(backup)' names a backup in several orgs (\(chosen.map(\.org.name).joined(separator: ", "))); add --org")
            }
            try ServiceUser.becomeServiceUserIfRoot(command: "hold")
            let archive = context.archive(target)
            do {
                if release {
                    let released = try await archive.release(summary, now: Date())
                    if output.json { return try Output.json(released) }
                    if released.isEmpty {
                        Output.line("\(target.name) \(summary.name): was not held")
                    } else {
                        for hold in released { Output.line("\(target.name) \(summary.name): released — \(hold.reason)") }
                        Output.line("the daemon's next cycle applies retention to it again (`zoho-crm-backup prune --dry-run` shows what it will do)")
                    }
                } else {
                    let hold = try await archive.hold(summary, reason: reason ?? "held by hand", now: Date())
                    if output.json { return try Output.json(hold) }
                    Output.line("\(target.name) \(summary.name): held until `zoho-crm-backup hold --release \(summary.name)` — \(hold.reason)")
                }
            } catch {
                Output.error("\(error)")
                throw ExitCode.failure
            }
        }

        func list(_ context: ArchiveContext) throws {
            var rows: [HeldBackup] = []
            var failed = false
            for target in context.orgs {
                do { rows += try context.archive(target).holds(now: Date()) } catch {
                    Output.error("[\(target.name)] \(error.description)")
                    failed = true
                }
            }
            if output.json {
                try Output.json(rows)
            } else {
                for row in rows {
                    let zone = context.orgs.first { $0.name == row.org }?.timeZone
                    let until = row.expires_at.map { "until \(ZohoDate.format($0, in: zone ?? .gmt))" } ?? "until released"
                    Output.line("\(row.org) \(row.backup): held (\(row.kind), \(until)) — \(row.reason)")
                    for finding in row.findings ?? [] { Output.line("    \(finding)") }
                }
                if rows.isEmpty, !failed { Output.line("no backup is held") }
            }
            if failed { throw ExitCode.failure }
        }
    }
}
