import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// Serves the parts of a simulated backup straight from the simulator's generated files.
struct DatasetParts: PartSource {
    let content: BackupContent
    let dataset: SimulatedDataset
    let job: String
    var dataParts = 2
    var attachmentParts = 1

    func path(_ name: String) throws -> String {
        try content.file(job: job, name: name, dataParts: dataParts, attachmentParts: attachmentParts, dataset: dataset)
    }

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path(part.fileName)))
        try data.dropFirst(Int(offset)).withUnsafeBytes { try sink(offset, Int64(data.count), $0) }
    }

    var spec: JobSpec {
        let names = (1...dataParts).map { String(format: "Data_%03d.zip", $0) } + (0..<attachmentParts).map { String(format: "Attachments_%03d.zip", $0 + 1) }
        return JobSpec(org: "acme", jobID: job, zgid: nil, parts: names.map { PartRef(fileName: $0, url: $0) },
                       completedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(dataset.backup) * 604_800))
    }
}

/// The record index of evolving simulated backups, checked against Python's `csv` module
/// reading the same zips: counts, id sets, and row hashes that change exactly when a
/// record's non-empty values do.
@Suite("Record index")
struct RecordIndexTests {
    /// A Zoho id as the index holds it: `zcrm_` stripped, a number.
    static func numeric(_ id: String) -> UInt64? { UInt64(id.hasPrefix("zcrm_") ? String(id.dropFirst(5)) : id) }

    /// What Python reads, per module: id → the non-empty (header, value) pairs of its row.
    static func modules(_ python: PythonCSV) -> [String: [UInt64: [String: String]]] {
        var result: [String: [UInt64: [String: String]]] = [:]
        for (name, file) in python.files {
            let stem = String(name.dropFirst("Data/".count).dropLast(".csv".count))
            let module = String(stem[..<stem.lastIndex(of: "_")!])
            var records = result[module, default: [:]]
            for (id, row) in file.rows ?? [:] {
                guard let key = numeric(id) else { continue }
                var pairs: [String: String] = [:]
                for (column, value) in row.enumerated().dropFirst() where !value.isEmpty {
                    pairs[column < file.header.count ? file.header[column] : "#\(column)"] = value
                }
                records[key] = pairs
            }
            result[module] = records
        }
        return result
    }

    static func records(_ index: RecordIndex, _ module: RecordIndexHeader.Module) throws -> [UInt64: UInt64] {
        var result: [UInt64: UInt64] = [:]
        try index.forEachRecord(of: module) { result[$0.id] = $0.hash }
        return result
    }

    @Test("evolving backups (Italian headers, a module over two parts, a custom field, a renamed module): the index matches Python's csv")
    func matchesPython() async throws {
        let root = try makeTemporaryFolder("index")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var content = BackupContent(folder: root + "/content", recordsPerModule: 300, attachmentsPerPart: 4, attachmentBytes: 2_000)
        content.locale = "it"
        var dataset = content.dataset(seed: 5, attachmentParts: 1)
        let folder = ArchiveFolder(path: root + "/archive", org: "acme", minFree: ByteSize(bytes: 0), logger: Logger(label: "test"))
        var previous: (index: RecordIndex, python: [String: [UInt64: [String: String]]])? = nil
        let actions: [Int: [AdminAction]] = [2: [.addField(module: "Leads", header: "Budget 2027")],
                                             3: [.renameModule(module: "Accounts", label: "Clienti"), .massDelete(module: "Contacts", percent: 10)]]
        for number in 1...4 {
            for action in actions[number] ?? [] { dataset.admin(action) }
            dataset.takeBackup()
            let parts = DatasetParts(content: content, dataset: dataset, job: "48768760000\(number)")
            let backup = try await folder.archive(parts.spec, from: parts, now: parts.spec.completedAt)
            let index = try RecordIndex(path: backup.folder + "/index")
            let python = try PythonCSV.read(try parts.spec.parts.map { try parts.path($0.fileName) })
            let byModule = Self.modules(python)

            #expect(Set(index.header.modules.map(\.name)) == Set(byModule.keys), "backup \(number): the modules")
            #expect(index.header.modules.count == 11, "8 modules, Users, Attachments, Leads_RecordAccess")
            var compared = 0, changed = 0
            for module in index.header.modules {
                let records = try Self.records(index, module)
                let expected = byModule[module.name] ?? [:]
                #expect(module.records == expected.count && records.count == expected.count, "backup \(number) \(module.name): count")
                #expect(Set(records.keys) == Set(expected.keys), "backup \(number) \(module.name): the ids")
                #expect(!module.incomplete && module.duplicateIDs == 0 && module.files.allSatisfy(\.problems.isEmpty))
                guard let previous, let before = previous.index.module(module.name) else { continue }
                let oldRecords = try Self.records(previous.index, before)
                for (id, hash) in records {
                    guard let oldHash = oldRecords[id], let oldRow = previous.python[module.name]?[id] else { continue }
                    #expect((hash == oldHash) == (expected[id] == oldRow), "backup \(number) \(module.name) \(id): the hash changes exactly when the values do")
                    compared += 1
                    if hash != oldHash { changed += 1 }
                }
            }
            if number > 1 { #expect(compared > 2_000 && changed > 10, "backup \(number): \(compared) records compared, \(changed) changed") }
            let leads = try #require(index.module("Leads"))
            #expect(leads.files.map { "\($0.part):\($0.name)" } == ["Data_001.zip:Data/Leads_001.csv", "Data_002.zip:Data/Leads_002.csv"])
            #expect(leads.header.first == "ID record", "the Italian header")
            #expect(index.header.attachments.count == python.attachments.count)
            #expect(index.header.attachments.bytes == Int64(python.attachments.reduce(0) { $0 + $1.size }))
            #expect(index.header.skipped.isEmpty && index.header.otherFiles.isEmpty)
            let parents = try index.attachmentParents()
            #expect(parents.count == index.header.attachments.parents && parents.reduce(0) { $0 + Int($1.count) } == python.files["Data/Attachments_001.csv"]?.ids.count,
                    "every attachment row counted under its parent")
            if number == 2 {
                #expect(leads.header.last == "Budget 2027", "the custom field's column")
                let unchanged = try Self.records(index, leads).filter { previous?.python["Leads"]?[$0.key] == byModule["Leads"]?[$0.key] }
                #expect(unchanged.count > 250, "most Leads records keep their hash after an empty column is added")
            }
            if number >= 3 {
                #expect(index.module("Clienti") != nil && index.module("Accounts") == nil, "the renamed module under its label")
            }
            previous = (index, byModule)
        }
    }
}

/// The daemon, at start, builds the index of each org's newest backup when it lacks one.
@Suite("Record index at start", .serialized)
struct IndexAtStartTests {
    @Test("a backup archived without an index (or with a damaged one) gets it at the next start; older ones are left to reindex")
    func newestBackupIsIndexedAtStart() async throws {
        try await SupervisorHarness.run([.init(name: "acme", schedule: "unmanaged")]) { h in
            for _ in 0..<2 {
                try await h.startImmediateBackup("acme")
                h.clock.advance(by: .seconds(3))
                await h.cycle(try h.supervisor(), times: 2, step: .seconds(60))
            }
            let backups = h.archived("acme")
            try #require(backups.count == 2)
            for backup in backups { unlink(backup.folder + "/index") }
            try Data("damaged".utf8).write(to: URL(fileURLWithPath: backups[1].folder + "/index"))
            await h.cycle(try h.supervisor(), times: 1)
            #expect((try? RecordIndex(path: backups[1].folder + "/index"))?.header.modules.isEmpty == false, "the newest is indexed")
            #expect(!FileManager.default.fileExists(atPath: backups[0].folder + "/index"), "older ones wait for `reindex`")
        }
    }
}
