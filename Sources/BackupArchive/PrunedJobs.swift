import Foundation
import ZohoModel

/// `<archive>/.pruned.json`: jobs retention removed, so a job whose links still live is not
/// fetched again — even after the daemon's state is lost. Entries older than a year go.
public struct PrunedJobs: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var jobID: String
        public var folder: String
        public var prunedAt: Date

        enum CodingKeys: String, CodingKey {
            case folder
            case jobID = "job_id"
            case prunedAt = "pruned_at"
        }
    }

    public var pruned: [Entry]

    public func contains(_ jobID: String) -> Bool { pruned.contains { $0.jobID == jobID } }

    static func path(in archive: String) -> String { archive + "/.pruned.json" }

    public static func load(archive: String) -> PrunedJobs {
        guard let data = FileManager.default.contents(atPath: path(in: archive)),
              let list = try? Manifest.decoder.decode(PrunedJobs.self, from: data) else { return PrunedJobs(pruned: []) }
        return list
    }

    func save(archive: String) throws(FileError) {
        try AtomicFile.write((try? Manifest.encoder.encode(self)) ?? Data(), to: Self.path(in: archive), permissions: 0o600)
    }
}
