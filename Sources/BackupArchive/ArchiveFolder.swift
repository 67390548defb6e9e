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
    public let path: String
    public let org: String
    public let minFree: ByteSize
    public var faults: FaultPoints
    public var verifyParallelism: Int
    /// How often a part that fails verification is fetched again before the job is reported.
    public var corruptRefetches = 2
    /// Stamps verification times (the simulator's clock in tests and the demo).
    public var clock: any WallClock
    /// The threads zip entries are inflated on (shared by every org of the process).
    public var lanes: VerifyLanes = .shared
    /// Inflates and checks one entry (tests stand in one that blocks).
    public var checker: any ZipEntryChecker = ZlibEntryChecker()
    let logger: Logger

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
    public var folder: String
    public var manifest: Manifest
    public var name: String { URL(fileURLWithPath: folder).lastPathComponent }
}
