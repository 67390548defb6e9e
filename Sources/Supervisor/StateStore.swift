import Foundation
import BackupArchive
import Reconcile
import ZohoModel

/// One org's folder under `state_dir`: `state.json` (the ``OrgState``), the cached token and
/// the org's work `lock`.
public struct StateStore: Sendable {
    /// `<state_dir>/<org>`.
    public let folder: String
    let faults: FaultPoints

    public init(stateDir: String, org: String, faults: FaultPoints = .none) {
        folder = "\(stateDir)/\(org)"
        self.faults = faults
    }

    public var statePath: String { folder + "/state.json" }
    /// Held (flock) by each unit of work on the org: a POST or cancel, a download and commit, a prune.
    public var lockPath: String { folder + "/lock" }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// The saved state; nil when there is none yet.
    /// - Throws: when the file exists but cannot be read or decoded (the caller decides).
    public func read() throws -> OrgState? {
        guard let data = FileManager.default.contents(atPath: statePath) else {
            if FileManager.default.fileExists(atPath: statePath) {
                throw FileError(path: statePath, operation: "read", errno: EACCES)
            }
            return nil
        }
        return try Self.decoder.decode(OrgState.self, from: data)
    }

    /// Creates the folder (0700) if needed and replaces `state.json` atomically.
    public func save(_ state: OrgState) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try Self.encoder.encode(state)
        try faults.injected(.stateBeforeRename)
        try AtomicFile.write(data, to: statePath, permissions: 0o600)
    }

    /// Creates the folder if needed and waits up to `timeout` for the org's work lock.
    public func lock(timeout: Duration) async throws -> FileLock? {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return try await FileLock.acquire(lockPath, timeout: timeout, clock: ContinuousClock())
    }
}
