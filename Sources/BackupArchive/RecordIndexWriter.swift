import Crypto
import Foundation
import Glibc
import ZohoModel

/// Builds a backup's ``RecordIndex`` from its parts' index material (`.index/<part>/`, made
/// while verifying): per module, the sorted runs of all its files merged into one sorted
/// list; the file written through a temporary name, fsync'd and renamed into place. Memory
/// stays at a buffer per run, whatever the record count.
public enum RecordIndexWriter {
    /// Writes `<folder>/index` from the part summaries in `partFolders`. - Returns: its header.
    @discardableResult
    public static func build(jobID: String, partFolders: [String], into folder: String) throws(RunFile.Failure) -> RecordIndexHeader {
        var summaries: [(folder: String, summary: PartSummary)] = []
        for partFolder in partFolders {
            guard let data = FileManager.default.contents(atPath: PartSummary.path(partFolder)),
                  let summary = try? JSONDecoder().decode(PartSummary.self, from: data) else {
                throw RunFile.Failure(description: "the index material of \(partFolder) is missing")
            }
            summaries.append((partFolder, summary))
        }
        let temp = "\(folder)/.\(RecordIndex.fileName).tmp"
        let out = try Output(path: temp)
        out.append(RecordIndex.magic)

        var byModule: [String: [(folder: String, file: PartSummary.File)]] = [:]
        for (partFolder, summary) in summaries {
            for file in summary.files { byModule[file.module, default: []].append((partFolder, file)) }
        }
        var modules: [RecordIndexHeader.Module] = []
        var parentRuns: [RunFile.Reader] = []
        for name in byModule.keys.sorted() {
            let files = byModule[name]!.sorted { $0.file.file.name < $1.file.file.name }
            let offset = out.written
            let merger = try RunFile.Merger(files.flatMap { entry in entry.file.runs.map { (entry.folder, $0) } }
                .map { folder, run throws(RunFile.Failure) in try RunFile.Reader(path: "\(folder)/\(run)") })
            var numeric = 0
            var duplicates = 0
            var previous: UInt64? = nil
            while let record = try merger.next() {
                if record.id == previous { duplicates += 1 }
                previous = record.id
                out.append(u64: record.id)
                out.append(u64: record.hash)
                numeric += 1
            }
            let others = files.flatMap(\.file.other).sorted { $0.id < $1.id || ($0.id == $1.id && $0.hash < $1.hash) }
            let otherStart = out.written
            var previousOther: String? = nil
            for record in others {
                if record.id == previousOther { duplicates += 1 }
                previousOther = record.id
                let bytes = Array(record.id.utf8.prefix(Int(UInt16.max)))
                out.append([UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)])
                out.append(bytes)
                out.append(u64: record.hash)
            }
            for entry in files {
                for run in entry.file.parentRuns { parentRuns.append(try RunFile.Reader(path: "\(entry.folder)/\(run)")) }
            }
            modules.append(RecordIndexHeader.Module(name: name, files: files.map(\.file.file), records: numeric + others.count,
                                                    numericRecords: numeric, otherRecords: others.count, duplicateIDs: duplicates,
                                                    incomplete: files.contains { $0.file.file.incomplete }, offset: offset,
                                                    otherBytes: out.written - otherStart))
        }

        // Attachments per parent record: (parent, size) runs merged and summed.
        let parentsOffset = out.written
        var parents = 0
        let merger = try RunFile.Merger(parentRuns)
        var current: (id: UInt64, count: UInt64, bytes: UInt64)? = nil
        func flushParent() {
            guard let c = current else { return }
            out.append(u64: c.id)
            out.append(u64: c.count)
            out.append(u64: c.bytes)
            parents += 1
        }
        while let record = try merger.next() {
            if current?.id == record.id { current!.count += 1; current!.bytes &+= record.hash } else {
                flushParent()
                current = (record.id, 1, record.hash)
            }
        }
        flushParent()

        let header = RecordIndexHeader(
            format: RecordIndexHeader.currentFormat, jobID: jobID, modules: modules,
            attachments: .init(count: summaries.reduce(0) { $0 + $1.summary.attachments },
                               bytes: summaries.reduce(0) { $0 + $1.summary.attachmentBytes }, parents: parents, offset: parentsOffset),
            otherFiles: summaries.flatMap(\.summary.otherFiles), skipped: summaries.flatMap(\.summary.skipped))
        let json = Array((try? JSONEncoder().encode(header)) ?? Data())
        out.append(json)
        out.append(withUnsafeBytes(of: UInt32(json.count).littleEndian) { Array($0) })
        try out.finish()
        guard rename(temp, "\(folder)/\(RecordIndex.fileName)") == 0 else {
            throw RunFile.Failure(description: "cannot rename \(temp): \(String(cString: strerror(errno)))")
        }
        do { try AtomicFile.syncFolder(folder) } catch { throw RunFile.Failure(description: "cannot fsync \(folder): \(error)") }
        return header
    }

    /// A file written through a 1 MiB buffer, hashed as it goes; ``finish()`` appends the
    /// SHA-256 and fsyncs.
    final class Output {
        private let fd: Int32
        private let path: String
        private var buffer: [UInt8] = []
        private var hasher = SHA256()
        private(set) var written: Int64 = 0
        private var failure: RunFile.Failure?

        init(path: String) throws(RunFile.Failure) {
            self.path = path
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw RunFile.Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))") }
            buffer.reserveCapacity(1 << 20)
        }

        deinit { close(fd) }

        func append(_ bytes: [UInt8]) {
            buffer.append(contentsOf: bytes)
            written += Int64(bytes.count)
            if buffer.count >= 1 << 20 { drain() }
        }

        func append(u64 value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
            written += 8
            if buffer.count >= 1 << 20 { drain() }
        }

        private func drain() {
            hasher.update(data: buffer)
            if failure == nil {
                failure = buffer.withUnsafeBytes { RunFile.writeAll(fd, $0, path: path) }
            }
            buffer.removeAll(keepingCapacity: true)
        }

        func finish() throws(RunFile.Failure) {
            drain()
            let digest = Array(hasher.finalize())
            if failure == nil { failure = digest.withUnsafeBytes { RunFile.writeAll(fd, $0, path: path) } }
            if let failure { throw failure }
            guard fsync(fd) == 0 else { throw RunFile.Failure(description: "cannot fsync \(path): \(String(cString: strerror(errno)))") }
        }
    }
}
