import Foundation
import Glibc
import ZohoModel

/// Receives each zip entry's bytes as ``ZipVerifier`` inflates them: how the index is built
/// without a second pass over the parts.
public protocol ZipEntryTap: Sendable {
    /// The consumer of `entry`'s bytes, or nil to let them go by.
    func begin(_ entry: ZipEntry) -> (any ZipEntryOutput)?
}

/// One entry's consumer; called on one verification lane at a time.
public protocol ZipEntryOutput: AnyObject {
    func consume(_ bytes: UnsafeRawBufferPointer)
    /// The entry is done: `verified` says whether its CRC and size matched.
    func end(verified: Bool)
}

/// What a part holds for the index, written as `.index/<part>/part.json` once the part is
/// verified and its runs are on disk.
struct PartSummary: Codable {
    struct File: Codable {
        var module: String
        var file: RecordIndexHeader.File
        var runs: [String]
        /// Runs of (parent id, attachment size), from `Attachments_NNN.csv`.
        var parentRuns: [String]
        var other: [OtherRecord]
    }

    struct OtherRecord: Codable {
        var id: String
        var hash: UInt64
    }

    var part: String
    var files: [File]
    var attachments: Int
    var attachmentBytes: Int64
    var otherFiles: [String]
    var skipped: [String]

    static func path(_ folder: String) -> String { "\(folder)/part.json" }
}

/// Indexes one part while it is verified: each `Data/<Module>_NNN.csv` entry through a
/// ``CSVReader`` and ``RowHasher`` into sorted runs under `folder`, attachments counted, other
/// entries named, unsafe names skipped. Safe to share between lanes: its own state is
/// changed only under `lock`; each ``EntryIndexer`` is used by one lane.
public final class PartIndexer: ZipEntryTap, @unchecked Sendable {
    let folder: String
    let part: String
    let runLimit: Int
    private let lock = NSLock()
    private var files: [PartSummary.File] = []
    private var attachments = 0
    private var attachmentBytes: Int64 = 0
    private var otherFiles: [String] = []
    private var skipped: [String] = []
    private var runCounter = 0

    /// An indexer writing runs of at most `runLimit` records into `folder` (made afresh).
    public init(folder: String, part: String, runLimit: Int = 131_072) throws(RunFile.Failure) {
        self.folder = folder
        self.part = part
        self.runLimit = runLimit
        try? FileManager.default.removeItem(atPath: folder)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw RunFile.Failure(description: "cannot create \(folder): \(error)")
        }
    }

    /// What an entry is to the index.
    public enum Role: Equatable {
        case module(String)
        case attachment
        case other
        case skipped(String)
    }

    /// `Data/<Module>_NNN.csv` (or `<Module>_NNN.csv`) is a module's file; `Attachments/…` an attachment; a name with
    /// `..`, a leading `/`, a backslash or a NUL is skipped.
    public static func role(_ name: String) -> Role {
        let pieces = name.split(separator: "/", omittingEmptySubsequences: false)
        if name.hasPrefix("/") || name.contains("\0") || name.contains("\\") || pieces.contains("..") {
            return .skipped("an unsafe name (\(name.debugDescription)): not read")
        }
        if name.hasPrefix("Attachments/"), !name.hasSuffix("/") { return .attachment }
        // Zoho's exports hold `Data/<Module>_NNN.csv`; the same name at the top is taken too.
        if pieces.count == 2 && pieces[0] == "Data" || pieces.count == 1, name.hasSuffix(".csv") {
            let stem = pieces[pieces.count - 1].dropLast(4)
            if let underscore = stem.lastIndex(of: "_"), underscore > stem.startIndex {
                let number = stem[stem.index(after: underscore)...]
                if number.count >= 3, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber) {
                    return .module(String(stem[..<underscore]))
                }
            }
        }
        return .other
    }

    /// A module's CSV gets an ``EntryIndexer``; an attachment is counted; others are noted.
    public func begin(_ entry: ZipEntry) -> (any ZipEntryOutput)? {
        switch Self.role(entry.name) {
        case .module(let module):
            return EntryIndexer(owner: self, module: module, name: entry.name)
        case .attachment:
            lock.withLock {
                attachments += 1
                attachmentBytes += entry.uncompressedSize
            }
        case .other:
            if !entry.name.hasSuffix("/") { lock.withLock { otherFiles.append("\(part): \(entry.name)") } }
        case .skipped(let why):
            lock.withLock { skipped.append("\(part): \(why)") }
        }
        return nil
    }

    func nextRunPath() -> String {
        lock.withLock {
            runCounter += 1
            return "\(folder)/\(runCounter).run"
        }
    }

    func add(_ file: PartSummary.File) { lock.withLock { files.append(file) } }

    /// Writes `part.json` (atomically): the part's index material is complete and durable.
    public func seal() throws(RunFile.Failure) {
        let summary = lock.withLock {
            PartSummary(part: part, files: files.sorted { $0.file.name < $1.file.name }, attachments: attachments,
                        attachmentBytes: attachmentBytes, otherFiles: otherFiles.sorted(), skipped: skipped.sorted())
        }
        do { try AtomicFile.write(try JSONEncoder().encode(summary), to: PartSummary.path(folder), permissions: 0o600) } catch {
            throw RunFile.Failure(description: "cannot write \(PartSummary.path(folder)): \(error)")
        }
    }
}

/// Indexes one module CSV entry as its bytes arrive; spills a sorted run every
/// ``PartIndexer/runLimit`` records. Used by one verification lane.
final class EntryIndexer: ZipEntryOutput {
    private unowned let owner: PartIndexer
    private let module: String
    private let name: String
    private var reader = CSVReader()
    private var hasher: RowHasher
    private var runs: [String] = []
    private var parentRuns: [String] = []
    private var parents: [IndexRecord] = []
    private var records = 0
    private var failure: String?

    init(owner: PartIndexer, module: String, name: String) {
        self.owner = owner
        self.module = module
        self.name = name
        hasher = RowHasher(capture: module == "Attachments" ? ["Parent.id", "Size"] : [])
        // Room for a run and what one inflated chunk can add past it: the buffer never doubles.
        hasher.records.reserveCapacity(owner.runLimit + 32_768)
    }

    func consume(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        reader.feed(bytes, into: &hasher)
        if hasher.records.count >= owner.runLimit || parents.count >= owner.runLimit { spill() }
    }

    private func spill() {
        for values in hasher.captured {
            if let parent = RowHasher.numericID(Array(values[0].utf8)) {
                let size = UInt64(values[1]) ?? 0
                parents.append(IndexRecord(id: parent, hash: size))
            }
        }
        hasher.captured.removeAll(keepingCapacity: true)
        do {
            if !hasher.records.isEmpty {
                let path = owner.nextRunPath()
                records += hasher.records.count
                try RunFile.write(&hasher.records, to: path)
                runs.append(path)
                hasher.records.removeAll(keepingCapacity: true)
            }
            if !parents.isEmpty {
                let path = owner.nextRunPath()
                try RunFile.write(&parents, to: path)
                parentRuns.append(path)
                parents.removeAll(keepingCapacity: true)
            }
        } catch {
            failure = error.description
        }
    }

    func end(verified: Bool) {
        guard verified else { return }
        reader.finish(into: &hasher)
        spill()
        let problems = Array((reader.problems + hasher.problems + (failure.map { [$0] } ?? [])).prefix(20))
        let file = RecordIndexHeader.File(name: name, part: owner.part, header: hasher.header,
                                          records: records + hasher.otherRecords.count, skippedRows: hasher.skippedRows,
                                          problems: problems, incomplete: failure != nil || reader.problemCount > 0)
        owner.add(PartSummary.File(module: module, file: file, runs: runs.map { ($0 as NSString).lastPathComponent },
                                   parentRuns: parentRuns.map { ($0 as NSString).lastPathComponent },
                                   other: hasher.otherRecords.map { PartSummary.OtherRecord(id: $0.id, hash: $0.hash) }))
    }
}
