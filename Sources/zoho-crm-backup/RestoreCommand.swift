import ArgumentParser
import Foundation
import Supervisor

extension ZohoCRMBackup {
    struct RestoreBackup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Restore a backup's files into a folder: everything, or only some modules' CSVs ready for Zoho's import.",
            discussion: """
                BACKUP is a folder name or job id from `list`, or the path of a backup folder (a copy elsewhere: \
                no policy is read then). Every part's SHA-256 is checked against manifest.json before anything is \
                written, and every entry extracted against its CRC-32. Without --module every entry of every part \
                is extracted under Zoho's paths; with --module only that module's CSV files, joined into one \
                <Module>.csv (one header, the BOM kept). Entries named with '..', an absolute path, a drive letter \
                or a NUL, and symbolic links, are skipped and named (exit 1); nothing is written outside DIR. \
                DIR must be new or empty (or --force); a restore that was stopped resumes when run again. Files \
                are 0600, folders 0700; restore.json and RESTORE.md (how to import into Zoho) say what was done.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Option(name: .long, help: ArgumentHelp("The folder to restore into (new or empty).", valueName: "dir"))
        var to: String
        @Option(name: .long, help: ArgumentHelp("Only this module's CSV files, joined into <Module>.csv (may be repeated).", valueName: "module"))
        var module: [String] = []
        @Flag(name: .long, help: "Write into a folder that is not empty, over what is there.")
        var force = false
        @Argument(help: ArgumentHelp("The backup: a folder name or job id from `list`, or a backup folder's path.", valueName: "backup"))
        var backup: String

        func run() async throws {
            let modules = module.isEmpty ? nil : Set(module)
            let result: RestoreResult
            do {
                if backup.contains("/"), let folder = BackupFolder(path: backup) {
                    result = try folder.restore(to: to, modules: modules, force: force)
                } else {
                    let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
                    let chosen = try context.choose([backup])
                    guard chosen.count == 1, let (target, summary) = chosen.first else {
                        throw ValidationError("'\(backup)' names a backup in several orgs (\(chosen.map(\.org.name).joined(separator: ", "))); add --org")
                    }
                    result = try context.archive(target).restore(summary, to: to, modules: modules, force: force)
                }
            } catch let failure as RestoreFailure {
                Output.error(failure.description)
                throw ExitCode.failure
            }
            if output.json {
                try Output.json(result)
            } else {
                Output.line("restored \(result.files.count) file\(result.files.count == 1 ? "" : "s") of backup \(result.backup) (job \(result.job_id)) into \(result.to), verified")
                for file in result.files.prefix(20) { Output.line("  \(file.path)  \(file.bytes) bytes") }
                if result.files.count > 20 { Output.line("  … (restore.json lists all \(result.files.count))") }
                Output.line("RESTORE.md there says how to import it into Zoho CRM.")
            }
            for skipped in result.skipped {
                Output.error("skipped \(skipped.part): \(skipped.entry.debugDescription) — \(skipped.reason)")
            }
            if !result.skipped.isEmpty { throw ExitCode.failure }
        }
    }
}
