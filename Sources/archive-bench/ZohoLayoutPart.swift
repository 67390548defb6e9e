import Foundation
import ZohoSimulator

/// A benchmark part in Zoho's layout, made by the simulator's content generator: one data
/// part holding every module's `Data/<Module>_NNN.csv` (unique ids, quoted fields, lookups),
/// sized by calibrating on a small sample first.
enum ZohoLayoutPart {
    /// Writes the part to `out` at about `mib` MiB. - Returns: the records it holds.
    static func make(out: String, mib: Double) throws -> Int {
        let cache = NSTemporaryDirectory() + "zcb-bench-part-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let sample = 20_000
        let sampleSize = try size(try write(recordsPerModule: sample, cache: cache))
        let perModule = max(1, Int(mib * 1_048_576 / Double(sampleSize) * Double(sample)))
        let (path, records) = try write(recordsPerModule: perModule, cache: cache, counting: true)
        try? FileManager.default.removeItem(atPath: out)
        try FileManager.default.moveItem(atPath: path, toPath: out)
        return records
    }

    static func write(recordsPerModule: Int, cache: String) throws -> String { try write(recordsPerModule: recordsPerModule, cache: cache, counting: false).0 }

    static func write(recordsPerModule: Int, cache: String, counting: Bool) throws -> (String, Int) {
        var content = BackupContent(folder: cache, recordsPerModule: recordsPerModule, attachmentsPerPart: 0, attachmentBytes: 0)
        content.rates = .frozen
        var dataset = content.dataset(seed: 42, attachmentParts: 0)
        // Wide rows, as a real org's records with dozens of fields: about 100 bytes a record in the zip.
        dataset.extraText = 400
        dataset.takeBackup()
        let path = try content.file(job: "bench-\(recordsPerModule)", name: "Data_001.zip", dataParts: 1, attachmentParts: 0, dataset: dataset)
        return (path, dataset.recordCounts.values.reduce(0, +))
    }

    static func size(_ path: String) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
    }
}
