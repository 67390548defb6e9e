import BackupArchive
import Foundation
import Offsite
import Policy

/// An off-site restic repository as the `offsite` commands and `restore --from-offsite` use
/// it: from an org's policy, or — the disaster-recovery path — from a repository and a
/// password file given on the command line, with no policy, state or archive.
/// Commands run restic with `--no-cache` (a command run as root must not leave root's files
/// in the daemon's cache).
public struct OffsiteRepository: Sendable {
    let restic: Restic
    /// The repository as it may be shown (a URL's password masked).
    public let shown: String

    /// The repository of `org`'s `offsite:`, its secrets read now.
    /// - Throws: ``OffsiteCommandError`` when the org has no `offsite:` or a secret cannot be used.
    public init(org: OrgPolicy, secrets: SecretLookup) throws(OffsiteCommandError) {
        guard let offsite = org.offsite else { throw OffsiteCommandError("org \(org.name) has no offsite: in the policy") }
        do { restic = try OrgWorker.restic(for: offsite, secrets: secrets, stateDir: nil, org: org.name) } catch {
            throw OffsiteCommandError(error.description)
        }
        shown = offsite.displayRepository
    }

    /// A repository given as restic takes it, with the file holding its password and, for a
    /// cloud store, the variables restic needs.
    public init(repository: String, passwordFile: String, environment: [String: String] = [:], executable: String = "restic") {
        restic = Restic(executable: executable, repository: repository, passwordFile: passwordFile, environment: environment, cacheDir: nil)
        shown = OffsitePolicy.redacted(repository)
    }

    /// Creates the repository. - Throws: when one exists there already (it is never overwritten).
    public func initialize() async throws(OffsiteCommandError) {
        do { try await restic.initialize() } catch { throw OffsiteCommandError(error, repository: shown) }
    }

    /// The snapshots this daemon made (tagged `org=`, `job=`), of `org` only when given, oldest first.
    public func snapshots(org: String?) async throws(OffsiteCommandError) -> [OffsiteSnapshot] {
        do {
            return try await restic.snapshots(host: org, tags: org.map { ["org=\($0)"] } ?? [], locking: false)
                .filter { $0.org != nil && $0.jobID != nil }
                .map(OffsiteSnapshot.init)
                .sorted { ($0.time, $0.id) < ($1.time, $1.id) }
        } catch {
            throw OffsiteCommandError(error, repository: shown)
        }
    }

    /// The repository's stored size in bytes, when restic says.
    public func storedSize() async throws(OffsiteCommandError) -> Int64? {
        do { return try await restic.storedSize() } catch { throw OffsiteCommandError(error, repository: shown) }
    }

    /// The snapshot `name` names: a snapshot id (or its start, 8 characters at least), a
    /// backup folder's name, or a job id; of `org` only when given.
    public func find(_ name: String, org: String?) async throws(OffsiteCommandError) -> OffsiteSnapshot {
        let all = try await snapshots(org: org)
        let matches = all.filter { $0.backup == name || $0.job_id == name || (name.count >= 8 && $0.id.hasPrefix(name)) }
        guard let first = matches.first else {
            throw OffsiteCommandError("no snapshot in \(shown) is '\(name)'\(org.map { " for org \($0)" } ?? ""); `zoho-crm-backup offsite snapshots` lists them")
        }
        guard matches.count == 1 else {
            throw OffsiteCommandError("'\(name)' names \(matches.count) snapshots in \(shown) (\(matches.map { "\($0.short_id) of \($0.org)" }.joined(separator: ", "))); give a snapshot id or --org")
        }
        return first
    }
}

/// A snapshot of a backup in an off-site repository.
public struct OffsiteSnapshot: Sendable, Equatable, Encodable {
    public var id: String
    public var short_id: String
    /// The backup's completion time.
    public var time: Date
    public var org: String
    public var job_id: String
    /// The backup folder's name.
    public var backup: String

    init(_ snapshot: ResticSnapshot) {
        id = snapshot.id
        short_id = snapshot.shortID
        time = snapshot.time
        org = snapshot.org ?? snapshot.hostname
        job_id = snapshot.jobID ?? ""
        backup = snapshot.backupName ?? ""
    }
}

/// Why an off-site command failed, with what to do.
public struct OffsiteCommandError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }

    /// An error saying `text`.
    public static func message(_ text: String) -> OffsiteCommandError { OffsiteCommandError(text) }

    init(_ error: ResticError, repository: String) {
        description = "\(error.message). \(error.hint(repository: repository))"
    }
}
