import ArgumentParser
import Foundation
import Policy
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed between two backups: records added, deleted and changed per module, header changes.",
            discussion: """
                Compares the backups' record indexes (each checked by its checksum first): a record is added or \
                deleted by its id, changed when the hash of its non-empty values differs. Percentages are of the \
                older backup's records. Default: the two newest backups of the org; with one backup named, that \
                one against the newest. A renamed or removed column changes the hash of every record with a value \
                in it: the module is marked so. Exit 0 when the backups could be compared (whether or not \
                anything changed), 1 on an error.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Option(name: .long, help: ArgumentHelp("Only this module (as its files are named, e.g. Contacts); may be repeated.", valueName: "module"))
        var module: [String] = []
        @Option(name: .long, help: ArgumentHelp("Print the ids of the records added, deleted or changed (may be repeated) instead of the table: one line each, module, change and id, tab-separated (JSON lines with --json).", valueName: "change"))
        var list: [RecordChange] = []
        @Argument(help: ArgumentHelp("The older and newer backup: folder names or job ids from `list`.", valueName: "backup"))
        var backups: [String] = []

        func validate() throws {
            guard backups.count <= 2 else { throw ValidationError("diff compares two backups; \(backups.count) were named") }
        }

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            let target: OrgPolicy, older: BackupSummary, newer: BackupSummary
            // A backup that is not there is an error of the comparison (exit 1), not of the command line.
            do { (target, older, newer) = try choose(context) } catch let error as ValidationError {
                Output.error(error.message)
                throw ExitCode.failure
            }
            if older.name == newer.name {
                Output.error("\(older.name) is the newest backup of \(target.name): name an older one to compare it with (or two backups)")
                throw ExitCode.failure
            }
            if older.completedAt > newer.completedAt {
                Output.error("note: \(older.name) is newer than \(newer.name); added and deleted are as seen going from the first to the second")
            }
            let archive = context.archive(target)
            let wanted = Set(list)
            var listed: ((String, RecordChange, String) throws -> Void)?
            if !wanted.isEmpty {
                let json = output.json
                listed = { module, change, id in
                    guard wanted.contains(change) else { return }
                    Output.line(json ? Self.jsonLine(module: module, change: change, id: id) : "\(module)\t\(change.rawValue)\t\(id)")
                }
            }
            let comparison: BackupComparison
            do { comparison = try archive.diff(older, newer, modules: module.isEmpty ? nil : Set(module), list: listed) } catch {
                Output.error("\(error)")
                throw ExitCode.failure
            }
            let unknown = Set(module).subtracting(comparison.modules.map(\.module))
            if !unknown.isEmpty {
                Output.error("no module \(unknown.sorted().joined(separator: ", ")) in either backup (modules are named as their files: \(comparison.modules.isEmpty ? "none" : "see diff without --module"))")
                throw ExitCode.failure
            }
            if !wanted.isEmpty { return }
            if output.json { return try Output.json(comparison) }
            Self.show(comparison, timeZone: target.timeZone)
        }

        /// The org and the two backups: as named, or the newest ones.
        func choose(_ context: ArchiveContext) throws -> (OrgPolicy, BackupSummary, BackupSummary) {
            let named = try context.choose(backups)
            let orgs = Set(named.map(\.org.name))
            let target: OrgPolicy
            if backups.isEmpty || orgs.count != 1 {
                guard context.orgs.count == 1 else {
                    throw ValidationError(backups.isEmpty ? "several orgs are configured (\(context.orgs.map(\.name).joined(separator: ", "))); add --org"
                                          : "the backups named are in several orgs (\(orgs.sorted().joined(separator: ", "))); add --org")
                }
                target = context.orgs[0]
            } else {
                target = named[0].org
            }
            let all = context.archive(target).backups()
            func find(_ name: String) throws -> BackupSummary {
                let matches = all.filter { $0.name == name || $0.jobID == name }
                guard let found = matches.last else { throw ValidationError("no archived backup of \(target.name) named \(name)") }
                return found
            }
            switch backups.count {
            case 0:
                guard all.count >= 2 else { throw ValidationError("\(target.name) has \(all.count) backup\(all.count == 1 ? "" : "s") in its archive; diff needs two") }
                return (target, all[all.count - 2], all[all.count - 1])
            case 1:
                guard let newest = all.last else { throw ValidationError("\(target.name) has no backup in its archive") }
                return (target, try find(backups[0]), newest)
            default:
                return (target, try find(backups[0]), try find(backups[1]))
            }
        }

        static func jsonLine(module: String, change: RecordChange, id: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(["module": module, "change": change.rawValue, "id": id])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }

        static func show(_ c: BackupComparison, timeZone: TimeZone) {
            Output.line("\(c.org): \(c.older) → \(c.newer)")
            Output.line("  from job \(c.older_job_id) (\(ZohoDate.format(c.older_completed_at, in: timeZone))) to job \(c.newer_job_id) (\(ZohoDate.format(c.newer_completed_at, in: timeZone)))")
            let width = max(6, c.modules.map(\.module.count).max() ?? 0)
            Output.line("  " + "module".padding(toLength: width, withPad: " ", startingAt: 0)
                        + ["before", "after", "added", "deleted", "changed"].map { String(repeating: " ", count: 11 - $0.count) + $0 }.joined())
            for m in c.modules {
                let counts = [m.older_records, m.newer_records, m.added, m.deleted, m.changed].map { " " + Inspect.count($0) }.joined()
                var notes: [String] = []
                if m.presence == "appeared" { notes.append("appeared") }
                if m.presence == "vanished" { notes.append("vanished") }
                if m.presence == "both", m.older_records > 0 {
                    if m.deleted > 0 { notes.append("deleted \(Self.percent(m.deleted_percent))") }
                    if m.changed > 0 { notes.append("changed \(Self.percent(m.changed_percent))") }
                }
                if m.incomplete { notes.append("INCOMPLETE") }
                Output.line("  " + m.module.padding(toLength: width, withPad: " ", startingAt: 0) + counts + (notes.isEmpty ? "" : "   " + notes.joined(separator: ", ")))
                if let columns = m.columns_summary {
                    Output.line("      \(columns)" + (m.changed_comparable ? "" : " — records with a value in these columns count as changed"))
                }
            }
        }

        static func percent(_ value: Double) -> String { String(format: "%.2f %%", value) }
    }
}

extension RecordChange: ExpressibleByArgument {}
