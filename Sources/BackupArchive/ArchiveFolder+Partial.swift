import Foundation

/// What `.partial/` holds, for decisions and progress lines: only `BackupArchive` knows its
/// layout.
extension ArchiveFolder {
    /// Job ids with a download in `.partial/`.
    public func partialJobs() -> Set<String> { Set(partialJobNames()) }

    /// How far the download of `jobID` has come: part files begun, their bytes, the newest.
    public func progress(jobID: String) -> PartialProgress {
        let work = partialFolder(jobID)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? [])
            .filter { !$0.hasPrefix(".") && $0.hasSuffix(".zip") }.sorted()
        let bytes = names.reduce(Int64(0)) { $0 + (size(of: "\(work)/\($1)") ?? 0) }
        return PartialProgress(files: names.count, bytes: bytes, newest: names.last)
    }
}

/// A download's progress in `.partial/<job>/`.
public struct PartialProgress: Sendable, Equatable {
    /// Part files begun (the last one may be incomplete).
    public var files: Int
    /// Bytes of the part files on disk so far, the incomplete last one included.
    public var bytes: Int64
    /// The name of the newest part begun.
    public var newest: String?
}
