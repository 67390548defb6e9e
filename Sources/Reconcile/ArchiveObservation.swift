import Foundation

/// What the local archive holds for one org, as far as decisions go.
public struct ArchiveObservation: Sendable, Equatable {
    /// Job ids archived or pruned (`.pruned.json`): never fetched again.
    public var knownJobs: Set<String>
    /// Job ids with a download in `.partial/`.
    public var partialJobs: Set<String>
    /// Job ids in `.partial/` that need nothing more from Zoho: every part verified, or sealed.
    public var completeJobs: Set<String>
    /// Completion time of the newest verified backup.
    public var newestBackup: Date?
    /// The job of that backup.
    public var newestJobID: String?
    /// Backups with a hold in force (folder names).
    public var heldBackups: Set<String>

    /// Makes an observation; an empty archive by default.
    public init(knownJobs: Set<String> = [], partialJobs: Set<String> = [], completeJobs: Set<String> = [], newestBackup: Date? = nil,
                newestJobID: String? = nil, heldBackups: Set<String> = []) {
        self.heldBackups = heldBackups
        self.newestJobID = newestJobID
        self.knownJobs = knownJobs
        self.partialJobs = partialJobs
        self.completeJobs = completeJobs
        self.newestBackup = newestBackup
    }
}
