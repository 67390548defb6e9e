import BackupArchive
import Foundation
import Logging
import ZohoModel
import ZohoSimulator

/// Two backups of one large module for the `diff` benchmark: the simulator's content with
/// every module but Contacts empty, archived (and indexed) as `run` archives a backup; the
/// second is a week later (the default rates: 2 % edited, 0.5 % added, 0.2 % deleted, and
/// 0.1 % of Contacts deleted by hand: about 3,000 deleted in all).
enum DiffPair {
    /// A part read from a local file.
    struct LocalFile: PartSource {
        let path: String

        func fetch(_ part: PartRef, from offset: Int64,
                   into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            let size = Int64(try handle.seekToEnd())
            try handle.seek(toOffset: UInt64(offset))
            var position = offset
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try sink(position, size, $0) }
                position += Int64(chunk.count)
            }
        }
    }

    /// Writes `<dir>/old.zip`, `<dir>/new.zip` and the archive `<dir>/archive` holding both.
    static func make(dir: String, records: Int, logger: Logger) async throws {
        let content = BackupContent(folder: dir + "/content", recordsPerModule: records, attachmentsPerPart: 0, attachmentBytes: 0)
        var dataset = content.dataset(seed: 42, attachmentParts: 0)
        dataset.keepOnly(["Contacts"])
        let folder = ArchiveFolder(path: dir + "/archive", org: "bench", minFree: ByteSize(bytes: 0), logger: logger)
        for (number, name) in ["old", "new"].enumerated() {
            // The week's own 0.2 % deleted, and 0.1 % more by hand: about 3,000 of a million, for `restore --deleted-since`.
            if number == 1 { dataset.admin(.massDelete(module: "Contacts", percent: 0.1)) }
            dataset.takeBackup()
            let job = "48768760000\(number + 1)"
            let path = try content.file(job: job, name: "Data_001.zip", dataParts: 1, attachmentParts: 0, dataset: dataset)
            try? FileManager.default.removeItem(atPath: "\(dir)/\(name).zip")
            try FileManager.default.copyItem(atPath: path, toPath: "\(dir)/\(name).zip")
            let spec = JobSpec(org: "bench", jobID: job, zgid: nil, parts: [PartRef(fileName: "Data_001.zip", url: path)],
                               completedAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(number) * 604_800))
            _ = try await folder.archive(spec, from: LocalFile(path: path), now: spec.completedAt)
        }
        try? FileManager.default.removeItem(atPath: dir + "/content")
    }
}
