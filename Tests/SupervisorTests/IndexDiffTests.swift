import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// `diff` against Python's `csv` module reading the zips themselves: on a sequence of evolving
/// backups, the added, deleted and changed ids of every module are exactly the sets Python's
/// rows give (changed: the non-empty (column, value) pairs differ).
@Suite("Diff of two backups")
struct IndexDiffTests {
    @Test("evolving backups with adds, edits, deletes, a custom field, a renamed column, a module vanishing and one appearing")
    func matchesPython() async throws {
        let root = try makeTemporaryFolder("diff")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let content = BackupContent(folder: root + "/content", recordsPerModule: 300, attachmentsPerPart: 2, attachmentBytes: 1_000)
        var dataset = content.dataset(seed: 11, attachmentParts: 1)
        let folder = ArchiveFolder(path: root + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "test"))
        let actions: [Int: [AdminAction]] = [
            2: [.addField(module: "Leads", header: "Budget 2027")],
            3: [.massDelete(module: "Contacts", percent: 30), .renameModule(module: "Accounts", label: "Clienti")],
            4: [.massEdit(module: "Deals", percent: 40), .renameColumn(module: "Leads", from: "Email", to: "E-mail address")],
        ]
        var previous: (index: RecordIndex, python: [String: [UInt64: [String: String]]])?
        var seen: Set<String> = []
        for number in 1...4 {
            for action in actions[number] ?? [] { dataset.admin(action) }
            dataset.takeBackup()
            let parts = DatasetParts(content: content, dataset: dataset, job: "48768760001\(number)")
            let backup = try await folder.archive(parts.spec, from: parts, now: parts.spec.completedAt)
            let index = try RecordIndex(path: backup.folder + "/index")
            let python = RecordIndexTests.modules(try PythonCSV.read(try parts.spec.parts.map { try parts.path($0.fileName) }))
            defer { previous = (index, python) }
            guard let previous else { continue }

            var listed: [String: [IndexDiff.Change: Set<String>]] = [:]
            let diff = try IndexDiff.compare(previous.index, index) { module, change, id in
                let fresh = listed[module, default: [:]][change, default: []].insert(id).inserted
                #expect(fresh, "\(module) \(id) listed once")
            }
            let names = Set(previous.python.keys).union(python.keys)
            #expect(Set(diff.modules.map(\.name)) == names, "backup \(number): every module of either backup")
            for module in diff.modules {
                let old = previous.python[module.name] ?? [:], new = python[module.name] ?? [:]
                let added = Set(new.keys).subtracting(old.keys), deleted = Set(old.keys).subtracting(new.keys)
                let changed = Set(old.keys).intersection(new.keys).filter { old[$0] != new[$0] }
                let got = listed[module.name] ?? [:]
                #expect(got[.added, default: []] == Set(added.map(String.init)), "backup \(number) \(module.name): added")
                #expect(got[.deleted, default: []] == Set(deleted.map(String.init)), "backup \(number) \(module.name): deleted")
                #expect(got[.changed, default: []] == Set(changed.map(String.init)), "backup \(number) \(module.name): changed")
                #expect(module.added == added.count && module.deleted == deleted.count && module.changed == changed.count)
                #expect(module.olderRecords == old.count && module.newerRecords == new.count)
                if module.added + module.deleted + module.changed > 0 { seen.insert("\(number):\(module.name)") }
            }
            // Without a list, the same counts.
            #expect(try IndexDiff.compare(previous.index, index) == diff)
            let byName = Dictionary(uniqueKeysWithValues: diff.modules.map { ($0.name, $0) })
            switch number {
            case 2:
                let leads = try #require(byName["Leads"])
                #expect(leads.columns == ColumnChanges(added: ["Budget 2027"], removed: [], renamed: []) && !leads.changedIsComparable,
                        "a new column could be filled for every record: the alarm does not judge this module's changes this time")
                #expect(leads.changed < 30, "an empty custom field changes no hash: only the week's edits")
            case 3:
                let contacts = try #require(byName["Contacts"])
                #expect(contacts.deletedShare > 0.29 && contacts.deletedShare < 0.33, "30 % of Contacts deleted (and the week's own 0.2 %)")
                #expect(byName["Accounts"]?.presence == .vanished && byName["Clienti"]?.presence == .appeared)
                #expect(byName["Accounts"]?.deleted == previous.python["Accounts"]?.count)
            case 4:
                let deals = try #require(byName["Deals"])
                #expect(deals.changedShare > 0.35, "40 % of Deals edited")
                let leads = try #require(byName["Leads"])
                #expect(leads.columns.renamed == [.init(from: "Email", to: "E-mail address")] && !leads.changedIsComparable)
            default: break
            }
        }
        #expect(seen.count > 10, "the sequence has changes in many modules: \(seen.sorted())")
    }

    @Test("only the modules asked for")
    func onlyModules() async throws {
        let root = try makeTemporaryFolder("diff-only")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let content = BackupContent(folder: root + "/content", recordsPerModule: 120, attachmentsPerPart: 0, attachmentBytes: 0)
        var dataset = content.dataset(seed: 3, attachmentParts: 0)
        let folder = ArchiveFolder(path: root + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "test"))
        var indexes: [RecordIndex] = []
        for number in 1...2 {
            dataset.takeBackup()
            var parts = DatasetParts(content: content, dataset: dataset, job: "48768760002\(number)")
            parts.attachmentParts = 0
            let backup = try await folder.archive(parts.spec, from: parts, now: parts.spec.completedAt)
            indexes.append(try RecordIndex(path: backup.folder + "/index"))
        }
        let diff = try IndexDiff.compare(indexes[0], indexes[1], only: ["Contacts", "Nope"])
        #expect(diff.modules.map(\.name) == ["Contacts"])
    }
}
