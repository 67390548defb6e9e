import ArgumentParser
import Foundation
import RestoreFormats
import Supervisor

extension RestoreFormat: ExpressibleByArgument {}

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
                are 0600, folders 0700; restore.json and RESTORE.md (how to import into Zoho) say what was done. \
                --format sqlite writes one SQLite database instead (a table per module, the record id its primary \
                key; numbers stored as numbers), --format xlsx one workbook (a sheet per module after an About \
                sheet; Excel's limits handled and listed in RESTORE.md); both take every filter.
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
        @Option(name: .long, help: ArgumentHelp("Only these records: a file of ids, one a line, or - for standard input. Their rows per module, with the module's header and BOM, their notes (and with --attachments their files).", valueName: "file"))
        var records: String?
        @Option(name: .customLong("deleted-since"), help: ArgumentHelp("Only the records of OLD that BACKUP no longer holds (what `diff OLD BACKUP --list deleted` lists); their rows come from OLD.", valueName: "old"))
        var deletedSince: String?
        @Flag(name: .long, help: "With --records or --deleted-since (or any --format but csv): the attachment files too, under Attachments/<parent id>/, and attachments.csv (in a database or workbook: the Attachments table's \"File Path\").")
        var attachments = false
        @Option(name: .long, help: ArgumentHelp("csv (files for Zoho's import wizard), sqlite (one database to query) or xlsx (one workbook).", valueName: "format"))
        var format: RestoreFormat = .csv
        @Flag(name: .customLong("from-offsite"), help: "BACKUP is in the off-site restic repository (a snapshot id, a backup folder's name or a job id): its folder is restored into DIR as archived, every part checked against manifest.json.")
        var fromOffsite = false
        @OptionGroup var repository: RepositoryOptions

        func validate() throws {
            if records != nil, deletedSince != nil { throw ValidationError("--records and --deleted-since choose records two ways; give one") }
            if attachments, records == nil, deletedSince == nil, format == .csv {
                throw ValidationError("--attachments goes with --records, --deleted-since or --format sqlite|xlsx (a full CSV restore has every attachment)")
            }
            if attachments, format != .csv, records == nil, deletedSince == nil, !module.isEmpty, !module.contains("Attachments") {
                throw ValidationError("--attachments with --module restores the files the Attachments table lists: add --module Attachments (or use --records to get chosen records' attachments)")
            }
            if fromOffsite, !module.isEmpty || records != nil || deletedSince != nil || format != .csv {
                throw ValidationError("--from-offsite restores the backup folder whole; then restore modules or records from it: zoho-crm-backup restore DIR --to OTHER --module …")
            }
            if repository.repository != nil, !fromOffsite { throw ValidationError("--repository goes with --from-offsite") }
        }
        @Argument(help: ArgumentHelp("The backup: a folder name or job id from `list`, or a backup folder's path.", valueName: "backup"))
        var backup: String

        func run() async throws {
            if fromOffsite { return try await restoreFromOffsite() }
            let modules = module.isEmpty ? nil : Set(module)
            let result: RestoreResult
            do {
                let source = try resolve(backup)
                if let deletedSince {
                    result = try resolve(deletedSince).restore(deletedBefore: source, modules: modules, attachments: attachments, to: to, force: force, format: format)
                } else if let records {
                    let text: String
                    if records == "-" {
                        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    } else {
                        do { text = try String(contentsOfFile: records, encoding: .utf8) } catch {
                            throw ValidationError("cannot read the ids in \(records): \(error.localizedDescription)")
                        }
                    }
                    let ids = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    guard !ids.isEmpty else { throw ValidationError("\(records == "-" ? "standard input" : records) holds no id") }
                    result = try source.restore(records: ids, modules: modules, attachments: attachments, to: to, force: force, format: format)
                } else {
                    result = try source.restore(to: to, modules: modules, force: force, format: format, attachments: attachments)
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
                for (module, count) in (result.records ?? [:]).sorted(by: { $0.key < $1.key }) { Output.line("  \(module): \(count) row\(count == 1 ? "" : "s")") }
                for note in result.notes ?? [] { Output.line("  \(note)") }
                Output.line(format == .csv ? "RESTORE.md there says how to import it into Zoho CRM." : "RESTORE.md there says what it holds and how to open it.")
            }
            for problem in result.problems ?? [] { Output.error("note: \(problem)") }
            if let missing = result.not_found, !missing.isEmpty { Output.error("not found in \(result.backup): \(missing.joined(separator: ", "))") }
            for skipped in result.skipped {
                Output.error("skipped \(skipped.part): \(skipped.entry.debugDescription) — \(skipped.reason)")
            }
            if !result.skipped.isEmpty { throw ExitCode.failure }
        }

        /// A backup named in the policy's archives (folder name or job id), or a backup folder's path.
        func resolve(_ name: String) throws -> BackupFolder {
            if name.contains("/") {
                guard let folder = BackupFolder(path: name) else {
                    throw ValidationError("\(name) is not a backup folder (no manifest.json of zoho-crm-backup in it)")
                }
                return folder
            }
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            let chosen = try context.choose([name])
            guard chosen.count == 1, let (target, summary) = chosen.first else {
                throw ValidationError("'\(name)' names a backup in several orgs (\(chosen.map(\.org.name).joined(separator: ", "))); add --org")
            }
            return context.archive(target).folder(summary)
        }
    }
}

extension ZohoCRMBackup.RestoreBackup {
    /// `restore --from-offsite`: the snapshot named by BACKUP, from the org's repository or
    /// the one given with `--repository`, restored and checked into DIR.
    func restoreFromOffsite() async throws {
        let restored: OffsiteRepository.Restored
        do {
            var found: [(OffsiteRepository, OffsiteSnapshot)] = []
            var misses: [String] = []
            for (repo, orgName) in try repository.repositories(policy: policy.policy, org: org.org) {
                do { found.append((repo, try await repo.find(backup, org: orgName))) } catch { misses.append(error.description) }
            }
            guard found.count == 1, let (repo, snapshot) = found.first else {
                if found.isEmpty { throw OffsiteCommandError.message(misses.joined(separator: "\n")) }
                throw OffsiteCommandError.message("'\(backup)' names snapshots of several orgs (\(found.map(\.1.org).joined(separator: ", "))); add --org")
            }
            restored = try await repo.restore(snapshot, to: to, force: force)
        } catch let error as OffsiteCommandError {
            Output.error(error.description)
            throw ExitCode.failure
        }
        if output.json { return try Output.json(restored) }
        Output.line("restored backup \(restored.backup) of \(restored.org) (job \(restored.job_id)) from snapshot \(restored.snapshot) into \(restored.to): \(restored.files.count) files, every part checked against manifest.json")
        for file in restored.files { Output.line("  \(file.name)  \(file.bytes) bytes") }
        Output.line("`sha256sum -c SHA256SUMS` there checks it again; `zoho-crm-backup restore \(restored.to) --to OTHER` extracts it.")
    }
}
