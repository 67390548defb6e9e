import ArgumentParser
import Foundation
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what a backup holds: modules and record counts, their CSV files and parts, header changes, attachments.",
            discussion: """
                Read from the backup's record index (checked by its checksum first). Header changes and modules \
                that appeared or vanished are against the backup before it. Exit 1 when the backup has no usable \
                index: `zoho-crm-backup reindex BACKUP` builds it.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Argument(help: ArgumentHelp("The backup: a folder name or job id from `list`.", valueName: "backup"))
        var backup: String

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            let chosen = try context.choose([backup])
            guard chosen.count == 1, let (target, summary) = chosen.first else {
                throw ValidationError("'\(backup)' names a backup in several orgs (\(chosen.map(\.org.name).joined(separator: ", "))); add --org")
            }
            let contents: BackupContents
            switch context.archive(target).inspect(summary) {
            case .success(let found): contents = found
            case .failure(let problem):
                Output.error("\(target.name) \(summary.name): no usable record index (\(problem.description)); build it with: zoho-crm-backup reindex \(summary.name)")
                throw ExitCode.failure
            }
            if output.json { return try Output.json(contents) }
            Self.show(contents, timeZone: target.timeZone)
        }

        static func show(_ c: BackupContents, timeZone: TimeZone) {
            let rule = c.rrule.map { " (\($0))" } ?? ""
            Output.line("\(c.org) \(c.backup)")
            Output.line("  job \(c.job_id), completed \(ZohoDate.format(c.completed_at, in: timeZone)), \(c.kind ?? "backup")\(rule)")
            for reason in c.held ?? [] { Output.line("  HELD — \(reason)") }
            Output.line(c.previous_backup.map { "  changes against the previous backup, \($0)" } ?? "  no earlier backup with an index to compare with")
            let width = max(6, c.modules.map(\.name.count).max() ?? 0)
            Output.line("  " + "module".padding(toLength: width, withPad: " ", startingAt: 0) + "    records  files")
            for m in c.modules {
                let files = m.files.map { "\($0.name) (\($0.part))" }.joined(separator: ", ")
                let flags = (m.incomplete ? "  INCOMPLETE" : "") + (m.duplicate_ids > 0 ? "  \(m.duplicate_ids) repeated ids" : "")
                Output.line("  " + m.name.padding(toLength: width, withPad: " ", startingAt: 0) + " " + Self.count(m.records) + "  " + files + flags)
                if let added = m.columns_added, !added.isEmpty { Output.line("      columns added: \(added.joined(separator: ", "))") }
                if let removed = m.columns_removed, !removed.isEmpty { Output.line("      columns removed: \(removed.joined(separator: ", "))") }
                for file in m.files { for problem in file.problems { Output.line("      \(file.name): \(problem)") } }
            }
            if let added = c.modules_added, !added.isEmpty { Output.line("  modules added: \(added.joined(separator: ", "))") }
            if let removed = c.modules_removed, !removed.isEmpty { Output.line("  modules removed: \(removed.joined(separator: ", "))") }
            Output.line("  attachments: \(c.attachments) files, \(ByteSize(bytes: c.attachment_bytes)), on \(c.records_with_attachments) records")
            if !c.other_files.isEmpty { Output.line("  other files: \(c.other_files.joined(separator: ", "))") }
            for skipped in c.skipped_entries { Output.line("  skipped: \(skipped)") }
        }

        /// A count right-aligned in 10 columns, with thousands separators.
        static func count(_ n: Int) -> String {
            let digits = String(n)
            var grouped = ""
            for (i, c) in digits.enumerated() {
                if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            return String(repeating: " ", count: max(0, 10 - grouped.count)) + grouped
        }
    }

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the record index of backups archived without one (or whose index is damaged).",
            discussion: """
                Reads each part again, by the same code as a new backup, and writes <backup>/index atomically; \
                manifest.json, SHA256SUMS and the parts are never changed. Takes each org's lock, as the daemon \
                does. As root, runs as the zoho-crm-backup user.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @Flag(name: .long, help: "Rebuild indexes that are valid too.")
        var force = false
        @Argument(help: ArgumentHelp("Backups: folder names or job ids (default: every backup).", valueName: "backup"))
        var backups: [String] = []

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            try ServiceUser.becomeServiceUserIfRoot(command: "reindex")
            var failed = false
            let chosen = try context.choose(backups)
            for (target, backup) in chosen {
                do {
                    switch try await context.archive(target).reindex(backup, force: force) {
                    case .valid: Output.line("\(target.name) \(backup.name): index valid")
                    case .built(let records, let modules, let reason):
                        Output.line("\(target.name) \(backup.name): index built, \(records) records in \(modules) modules (it was: \(reason))")
                    }
                } catch {
                    Output.error("\(target.name) \(backup.name): \(error)")
                    failed = true
                }
            }
            if chosen.isEmpty { Output.line("nothing archived yet") }
            if failed { throw ExitCode.failure }
        }
    }
}
