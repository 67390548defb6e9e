import Foundation
import Testing
import TestSupport
import ZohoSimulator

/// The simulator's backups change from one to the next as a real org's do, deterministically,
/// and show what an admin did in between; read back with Python's `csv` module.
@Suite("Evolving simulated content")
struct EvolvingContentTests {
    static func read(_ content: BackupContent, _ dataset: SimulatedDataset, job: String) throws -> PythonCSV {
        try PythonCSV.read(["Data_001.zip", "Data_002.zip", "Attachments_001.zip"].map {
            try content.file(job: job, name: $0, dataParts: 2, attachmentParts: 1, dataset: dataset)
        })
    }

    static func counts(_ python: PythonCSV) -> [String: Int] {
        var counts: [String: Int] = [:]
        for (name, file) in python.files where !name.contains("_RecordAccess_") {
            let stem = name.dropFirst("Data/".count).dropLast(".csv".count)
            counts[String(stem[..<stem.lastIndex(of: "_")!]), default: 0] += file.ids.count
        }
        return counts
    }

    @Test("records are edited, added and deleted each backup; unchanged attachments keep their bytes; admin actions show in the next backup")
    func evolves() throws {
        let root = try makeTemporaryFolder("evolve")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let content = BackupContent(folder: root, recordsPerModule: 1_000, attachmentsPerPart: 50, attachmentBytes: 1_000)
        var dataset = content.dataset(seed: 9, attachmentParts: 1)
        dataset.takeBackup()
        let first = try Self.read(content, dataset, job: "1")
        dataset.takeBackup()
        let second = try Self.read(content, dataset, job: "2")
        #expect(Self.counts(second).filter { SimulatedDataset.moduleNames.contains($0.key) } == dataset.recordCounts, "the files hold what the dataset says")
        let leads1 = Set(first.files["Data/Leads_001.csv"]!.ids + first.files["Data/Leads_002.csv"]!.ids)
        let leads2 = Set(second.files["Data/Leads_001.csv"]!.ids + second.files["Data/Leads_002.csv"]!.ids)
        #expect(!leads2.subtracting(leads1).isEmpty || !leads1.subtracting(leads2).isEmpty, "records come and go")
        let rows1 = first.files["Data/Contacts_001.csv"]!.rows!, rows2 = second.files["Data/Contacts_001.csv"]!.rows!
        let edited = rows1.keys.filter { rows2[$0] != nil && rows2[$0] != rows1[$0] }.count
        #expect((5...60).contains(edited), "about 2 % of 1,000 Contacts edited: \(edited)")
        let crcs1 = Dictionary(uniqueKeysWithValues: first.attachments.map { ($0.name, $0.crc) })
        let kept = second.attachments.filter { crcs1[$0.name] != nil }
        #expect(kept.count >= 45 && kept.allSatisfy { crcs1[$0.name] == $0.crc }, "an unchanged attachment has the same bytes")
        #expect(second.attachments.count > first.attachments.count - 5)

        dataset.admin(.massDelete(module: "Contacts", percent: 30))
        dataset.admin(.addField(module: "Deals", header: "Budget 2027"))
        dataset.takeBackup()
        let third = try Self.read(content, dataset, job: "3")
        let contacts2 = second.files["Data/Contacts_001.csv"]!.ids.count, contacts3 = third.files["Data/Contacts_001.csv"]!.ids.count
        #expect(Double(contacts3) < Double(contacts2) * 0.72 && Double(contacts3) > Double(contacts2) * 0.66, "\(contacts2) → \(contacts3)")
        let deals = third.files["Data/Deals_001.csv"]!
        #expect(deals.header.last == "Budget 2027")
        let filled = deals.rows!.values.filter { !($0.last ?? "").isEmpty }.count
        #expect(filled < deals.ids.count / 10, "a new custom field is mostly empty: \(filled) of \(deals.ids.count)")

        var again = content.dataset(seed: 9, attachmentParts: 1)
        for _ in 0..<2 { again.takeBackup() }
        #expect(try Self.read(content, again, job: "2b").files["Data/Contacts_001.csv"]!.ids == second.files["Data/Contacts_001.csv"]!.ids, "deterministic from the seed")
    }

    @Test("admin actions as typed on the simulator's standard input", arguments: [
        ("mass-change Contacts delete 30", "mass-change Contacts delete 30"),
        ("mass-change Leads edit 2.5", "mass-change Leads edit 2.5"),
        ("add-field Leads \"Budget 2027\"", "add-field Leads \"Budget 2027\""),
        ("rename-column Leads Email \"E-mail address\"", "rename-column Leads Email \"E-mail address\""),
        ("rename-module Accounts Clienti", "rename-module Accounts Clienti"),
        ("mass-change Contacts delete 0", "error: not a percentage"), ("mass-change Contacts delete 101", "error: not a percentage"),
        ("mass-change Contacts purge 5", "error: neither delete nor edit"), ("drop-table Leads", "error: expected"), ("", "error: expected"),
    ])
    func parse(_ line: String, _ expected: String) {
        switch AdminAction.parse(line) {
        case .success(let action): #expect(action.description == expected)
        case .failure(let error): #expect(expected.hasPrefix("error: ") && error.description.contains(expected.dropFirst(7)), "\(error)")
        }
    }
}
