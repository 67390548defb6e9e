import Foundation

/// What the local archive holds for one org, as far as decisions go.
public struct ArchiveObservation: Sendable, Equatable {
    /// Job ids archived or pruned (`.pruned.json`): never fetched again.
    public var knownJobs: Set<String>
    /// Job ids with a download in `.partial/`.
    public var partialJobs: Set<String>
    /// Completion time of the newest verified backup.
    public var newestBackup: Date?

    public init(knownJobs: Set<String> = [], partialJobs: Set<String> = [], newestBackup: Date? = nil) {
        self.knownJobs = knownJobs
        self.partialJobs = partialJobs
        self.newestBackup = newestBackup
    }
}
