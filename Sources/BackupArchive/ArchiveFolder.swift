import Foundation
import Glibc
import Logging
import ZohoModel

/// One org's archive folder: downloads jobs into `.partial/`, verifies, commits by one
/// rename, and lists what it holds. Folders are 0700, files 0600.
///
/// - Important: the caller holds the org's lock (`<state_dir>/<org>/lock`) around
///   ``archive(_:from:now:)`` and pruning, so one job is never worked on twice at once.
public struct ArchiveFolder: Sendable {
    /// The org's archive folder: committed backups, `.partial/` and `.quarantine/` live in it.
    public let path: String
    /// The org's name, for errors and log lines.
    public let org: String
    /// Space to leave free (`archive.min_free`): a download starts only if what is left of the part plus this fits.
    public let minFree: ByteSize
    /// Test hooks reached at the archive's named fault points; `.none` in production.
    public var faults: FaultPoints
    /// How many entries of one zip are inflated at once (default: one per core).
    public var verifyParallelism: Int
    /// How often a part that fails verification is fetched again before the job is reported.
    public var corruptRefetches = 2
    /// Stamps verification times (the simulator's clock in tests and the demo).
    public var clock: any WallClock
    /// The threads zip entries are inflated on (shared by every org of the process).
    public var lanes: VerifyLanes = .shared
    /// Inflates and checks one entry (tests stand in one that blocks).
    public var checker: any ZipEntryChecker = ZlibEntryChecker()
    /// Builds each backup's record index (false only for the benchmark's comparison).
    public var indexing = true
    let logger: Logger

    /// Makes the org's archive folder at `path`; nothing is created on disk until work needs it.
    public init(path: String, org: String, minFree: ByteSize, faults: FaultPoints = .none,
                verifyParallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
                clock: any WallClock = SystemWallClock(), logger: Logger) {
        self.path = path
        self.clock = clock
        self.org = org
        self.minFree = minFree
        self.faults = faults
        self.verifyParallelism = verifyParallelism
        self.logger = logger
    }

    var partialRoot: String { path + "/.partial" }
    func partialFolder(_ jobID: String) -> String { "\(partialRoot)/\(jobID)" }

    /// The folder name of a committed backup: UTC completion time and job id.
    public static func folderName(completedAt: Date, jobID: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "yyyy-MM-dd'T'HHmmss'Z'"
        return "\(f.string(from: completedAt))_\(jobID)"
    }

    /// Every committed backup (folders with this tool's manifest), oldest first.
    public func backups() -> [ArchivedBackup] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.compactMap { name in
            Manifest.read(folder: "\(path)/\(name)").map { ArchivedBackup(folder: "\(path)/\(name)", manifest: $0) }
        }.sorted { ($0.manifest.completedAt, $0.manifest.jobID) < ($1.manifest.completedAt, $1.manifest.jobID) }
    }

    /// The committed backup of `jobID`, if any.
    public func backup(jobID: String) -> ArchivedBackup? {
        backups().first { $0.manifest.jobID == jobID }
    }

    func makeFolder(_ folder: String) throws(ArchiveError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ArchiveError.io(systemErrno(of: error), path: folder, doing: "create folder", org: org, jobID: nil, file: nil)
        }
    }

    /// Logger metadata naming this org, `jobID` and `file` (the journal's `ZOHO_*` fields).
    func metadata(jobID: String, file: String? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = [LogKey.org: "\(org)", LogKey.jobID: "\(jobID)"]
        if let file { metadata[LogKey.file] = "\(file)" }
        return metadata
    }

    func injected(_ point: FaultPoint, jobID: String) throws(ArchiveError) {
        do { try faults.injected(point) } catch {
            throw .injected(error, path: partialFolder(jobID), org: org, jobID: jobID, file: nil)
        }
    }
}

/// A backup in the archive.
public struct ArchivedBackup: Sendable, Equatable {
    /// The full path of the backup's folder.
    public var folder: String
    /// Its `manifest.json`, as read when the backup was listed or committed.
    public var manifest: Manifest
    /// The folder's name in the archive (`<UTC completion>_<job>`).
    public var name: String { URL(fileURLWithPath: folder).lastPathComponent }

    /// A backup folder and its manifest.
    public init(folder: String, manifest: Manifest) {
        self.folder = folder
        self.manifest = manifest
    }

    /// The committed backup folder at `path` (a copy elsewhere, too), or nil without a
    /// readable `manifest.json` of this tool.
    public init?(path: String) {
        guard let manifest = Manifest.read(folder: path) else { return nil }
        self.init(folder: path, manifest: manifest)
    }
}
