import ArgumentParser
import Foundation
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find a record by its id: every backup that holds it, and the record itself from the newest.",
            discussion: """
                The backups' record indexes say which hold the id (`zcrm_` or not) without reading the parts; \
                the record is read from the newest of them, inflating only its module's CSV files (their CRC-32 \
                checked). Marks the backups where its row changed, and the backup from which it is missing. \
                Needs no Zoho and no credentials. Exit 1 when no backup holds it.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Option(name: .long, help: ArgumentHelp("Look only in this module (as its files are named, e.g. Contacts).", valueName: "module"))
        var module: String?
        @Flag(name: .long, help: "Show how the record changed, column by column, in each backup where its row changed.")
        var history = false
        @Argument(help: ArgumentHelp("The record's id, as Zoho shows it (e.g. 4876876000002000017 or zcrm_4876876000002000017).", valueName: "id"))
        var id: String

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            var found: [FoundRecord] = []
            var failed = false
            for target in context.orgs {
                do {
                    if let record = try context.archive(target).find(id, module: module, history: history) { found.append(record) }
                } catch {
                    Output.error(error.description)
                    failed = true
                }
            }
            if output.json {
                try Output.json(found)
            } else {
                for record in found { Self.show(record, zone: context.orgs.first { $0.name == record.org }?.timeZone ?? .gmt) }
            }
            if found.isEmpty {
                Output.error("no backup of \(context.orgs.map(\.name).joined(separator: ", ")) holds record \(id)\(module.map { " in \($0)" } ?? "")")
            }
            if found.isEmpty || failed { throw ExitCode.failure }
        }

        static func show(_ r: FoundRecord, zone: TimeZone) {
            let modules = Array(Set(r.backups.map(\.module))).sorted().joined(separator: ", ")
            Output.line("\(r.org): record \(r.id) (\(modules)) in \(r.backups.count) backup\(r.backups.count == 1 ? "" : "s")")
            for (i, p) in r.backups.enumerated() {
                let what = i == 0 ? "first seen" : p.changed ? "changed" : "unchanged"
                Output.line("  \(p.backup)  \(ZohoDate.format(p.completed_at, in: zone))  \(what)")
            }
            if let gone = r.missing_since { Output.line("  \(gone)  not in this backup: deleted (or moved) since the one before") }
            for change in r.history ?? [] {
                Output.line("  changed in \(change.backup) (\(ZohoDate.format(change.completed_at, in: zone))):")
                for column in change.columns {
                    Output.line("    \(column.column): \(column.before.map { "\"\($0)\"" } ?? "(no such column)") → \(column.after.map { "\"\($0)\"" } ?? "(column gone)")")
                }
            }
            for name in r.not_searched { Output.line("  \(name)  not searched: no usable index (zoho-crm-backup reindex \(name))") }
            guard let last = r.backups.last else { return }
            Output.line("  the record in \(last.backup):")
            let width = min(40, r.record.map(\.column.count).max() ?? 0)
            for field in r.record where !field.value.isEmpty {
                Output.line("    " + field.column.padding(toLength: max(width, field.column.count), withPad: " ", startingAt: 0) + "  " + field.value.replacingOccurrences(of: "\n", with: "\n      "))
            }
            for note in r.notes {
                let title = note.first { $0.column.hasPrefix("Note Title") || $0.column == "Title" }?.value ?? note.first?.value ?? ""
                Output.line("  note \(note.first?.value ?? ""): \(title)")
            }
            for attachment in r.attachments {
                let name = attachment.first { $0.column == "File Name" }?.value ?? ""
                let size = attachment.first { $0.column == "Size" }?.value ?? "?"
                Output.line("  attachment \(attachment.first?.value ?? ""): \(name) (\(size) bytes)")
            }
            if !r.more_rows.isEmpty { Output.line("  (the id appears \(r.more_rows.count + 1) times in that backup; --json shows every row)") }
        }
    }
}
