import Foundation
import ZohoModel

/// `<archive>/.pruned.json`: jobs retention removed, so a job whose links still live is not
/// fetched again — even after the daemon's state is lost. Entries older than a year go.
public struct PrunedJobs: Codable, Sendable, Equatable {
    /// One job retention removed.
    public struct Entry: Codable, Sendable, Equatable {
        /// Zoho's id of the removed job.
        public var jobID: String
        /// The name the backup's folder had in the archive.
        public var folder: String
        /// When it was pruned; entries older than a year are dropped at a later prune.
        public var prunedAt: Date

        enum CodingKeys: String, CodingKey {
            case folder
            case jobID = "job_id"
            case prunedAt = "pruned_at"
        }
    }

    /// The jobs pruned in the last year, oldest first.
    public var pruned: [Entry]

    /// Whether `jobID` was pruned, so it must not be fetched again.
    public func contains(_ jobID: String) -> Bool { pruned.contains { $0.jobID == jobID } }

    static func path(in archive: String) -> String { archive + "/.pruned.json" }

    /// Reads `<archive>/.pruned.json`; an empty list when it is missing or unreadable.
    public static func load(archive: String) -> PrunedJobs {
        guard let data = FileManager.default.contents(atPath: path(in: archive)),
              let list = try? Manifest.decoder.decode(PrunedJobs.self, from: data) else { return PrunedJobs(pruned: []) }
        return list
    }

    func save(archive: String) throws(FileError) {
        try AtomicFile.write((try? Manifest.encoder.encode(self)) ?? Data(), to: Self.path(in: archive), permissions: 0o600)
    }
}
