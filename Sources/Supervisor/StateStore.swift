import Foundation
import BackupArchive
import Reconcile
import ZohoModel

/// One org's folder under `state_dir`: `state.json` (the ``OrgState``), `pending-post.json`
/// (an unconfirmed POST), `immediate-request.json` (an immediate backup not yet settled), the
/// cached token and the org's work `lock`.
///
/// The daemon rewrites `state.json` whole at every cycle, so the one record that another
/// process (`now`) must also write — the requests sent to Zoho — live in files of their own,
/// written and removed only under the org's lock.
public struct StateStore: Sendable {
    /// `<state_dir>/<org>`.
    public let folder: String
    let faults: FaultPoints

    public init(stateDir: String, org: String, faults: FaultPoints = .none) {
        folder = "\(stateDir)/\(org)"
        self.faults = faults
    }

    public var statePath: String { folder + "/state.json" }
    /// The unconfirmed POST, if any (see ``OrgState/pendingPost``).
    public var pendingPath: String { folder + "/pending-post.json" }
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

    /// The saved `state.json`; nil when there is none yet. Its ``OrgState/pendingPost`` is
    /// set only when an older release wrote it there (``migratePending(_:)`` moves it); the
    /// recorded requests are read with ``readPending()`` and ``readImmediate()``, apart, so an
    /// unreadable one is never mistaken for an unreadable state or for no request.
    /// - Throws: when the file exists but cannot be read or decoded (the caller decides).
    public func read() throws -> OrgState? {
        guard let data = try contents(statePath) else { return nil }
        return try Self.decoder.decode(OrgState.self, from: data)
    }

    /// Moves a pending POST read from an older `state.json` into `pending-post.json` (the
    /// first start after an upgrade); the next ``save(_:)`` drops it from `state.json`.
    public func migratePending(_ state: OrgState) throws {
        guard let legacy = state.pendingPost, try readPending() == nil else { return }
        try writePending(legacy)
    }

    /// Creates the folder (0700) if needed and replaces `state.json` atomically. The recorded
    /// requests are not written there: ``writePending(_:)`` and ``writeImmediate(_:)`` own them.
    public func save(_ state: OrgState) throws {
        try makeFolder()
        var saved = state
        saved.pendingPost = nil
        saved.immediateRequest = nil
        let data = try Self.encoder.encode(saved)
        try faults.injected(.stateBeforeRename)
        try AtomicFile.write(data, to: statePath, permissions: 0o600)
    }

    /// `offsite.json`: the org's off-site copies (``OffsiteState``), written by its worker only.
    public var offsitePath: String { folder + "/offsite.json" }

    /// The saved off-site state; nil when there is none yet. - Throws: when it cannot be read.
    public func readOffsite() throws -> OffsiteState? {
        guard let data = try contents(offsitePath) else { return nil }
        return try Self.decoder.decode(OffsiteState.self, from: data)
    }

    /// Replaces `offsite.json` atomically.
    public func saveOffsite(_ state: OffsiteState) throws {
        try makeFolder()
        try AtomicFile.write(try Self.encoder.encode(state), to: offsitePath, permissions: 0o600)
    }

    /// `immediate-request.json`: the immediate backup that reached Zoho and is not settled.
    public var immediatePath: String { folder + "/immediate-request.json" }

    /// The unconfirmed POST recorded by the daemon or by `now`; nil when there is none.
    public func readPending() throws -> OrgState.PendingPost? { try readRecord(pendingPath) }

    /// Records (or, with nil, removes) the unconfirmed POST, durably. Call it under the org's lock.
    public func writePending(_ pending: OrgState.PendingPost?) throws { try writeRecord(pending, to: pendingPath) }

    /// The immediate backup request not yet settled; nil when there is none.
    public func readImmediate() throws -> OrgState.ImmediateRequest? { try readRecord(immediatePath) }

    /// Records (or, with nil, removes) the immediate backup request. Call it under the org's lock.
    public func writeImmediate(_ request: OrgState.ImmediateRequest?) throws { try writeRecord(request, to: immediatePath) }

    func readRecord<Record: Decodable>(_ path: String) throws -> Record? {
        guard let data = try contents(path) else { return nil }
        return try Self.decoder.decode(Record.self, from: data)
    }

    func writeRecord<Record: Encodable>(_ record: Record?, to path: String) throws {
        try makeFolder()
        guard let record else {
            guard unlink(path) == 0 || errno == ENOENT else { throw FileError(path: path, operation: "remove", errno: errno) }
            return
        }
        try AtomicFile.write(try Self.encoder.encode(record), to: path, permissions: 0o600)
    }

    func makeFolder() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    /// A file's bytes; nil when it does not exist.
    func contents(_ path: String) throws -> Data? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw FileError(path: path, operation: "read", errno: EACCES) }
            return nil
        }
        return data
    }

    /// Creates the folder if needed and waits up to `timeout` for the org's work lock.
    public func lock(timeout: Duration) async throws -> FileLock? {
        try makeFolder()
        return try await FileLock.acquire(lockPath, timeout: timeout, clock: ContinuousClock())
    }
}
