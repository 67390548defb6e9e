import Foundation
import ZohoModel

/// A backup retention must keep: the last good copy before a mass change (it expires after
/// `alert.hold_days`), or a hold made by hand (a legal hold, until released). Holds live in
/// the archive folder (``HoldFile``), beside the backups they protect.
public struct Hold: Codable, Sendable, Equatable {
    /// Why the backup is held.
    public enum Kind: String, Codable, Sendable, Equatable {
        /// The newest backup from before a mass change: the alarm lasts as long as the hold.
        case massChange = "mass_change"
        /// Pinned by an admin with `hold`; never expires.
        case manual
    }

    /// The held backup's folder name (`<completed>_<job>`).
    public var backup: String
    /// Its job.
    public var jobID: String
    /// Why it is held.
    public var kind: Kind
    /// What the hold is for: the admin's words, or the mass change it guards against
    /// (`last backup before the mass change of Contacts on 2026-11-27`).
    public var reason: String
    /// When it was made.
    public var createdAt: Date
    /// When it ends by itself; nil: only `hold --release` ends it.
    public var expiresAt: Date?
    /// A mass change only: the backup that showed it.
    public var changedIn: String?
    /// A mass change only: the modules over a limit.
    public var modules: [String]?
    /// A mass change only: the modules and what they lost (`Contacts lost 3,120 of 41,200 records (7.6 %)`).
    public var findings: [String]?

    /// Makes a hold.
    public init(backup: String, jobID: String, kind: Kind, reason: String, createdAt: Date, expiresAt: Date? = nil,
                changedIn: String? = nil, modules: [String]? = nil, findings: [String]? = nil) {
        self.modules = modules
        self.backup = backup
        self.jobID = jobID
        self.kind = kind
        self.reason = reason
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.changedIn = changedIn
        self.findings = findings
    }

    /// In force at `now`: not expired.
    public func isActive(at now: Date) -> Bool { expiresAt.map { now < $0 } ?? true }
}

/// The archive's holds: `<archive>/.holds.json`, written atomically (a temporary file,
/// fsync, rename) by writers holding the archive's lock. A missing file is no hold; an
/// unreadable one is an error, never "no hold" (a hold must not vanish because its file is
/// damaged: retention then keeps every backup).
public struct HoldFile: Codable, Sendable, Equatable {
    /// The file name in the archive folder.
    public static let fileName = ".holds.json"
    /// The file's format.
    public var format = 1
    /// Every hold, active or expired (expired ones are dropped by the next write).
    public var holds: [Hold] = []

    /// No holds.
    public init(holds: [Hold] = []) { self.holds = holds }

    /// The holds in force at `now`, by backup folder name.
    public func active(at now: Date) -> [String: [Hold]] {
        Dictionary(grouping: holds.filter { $0.isActive(at: now) }, by: \.backup)
    }

    /// Why the holds file cannot be used.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        /// What is wrong with the file, naming it, and what to do.
        public var description: String
    }
}

extension ArchiveFolder {
    /// The holds file's path.
    public var holdsPath: String { "\(path)/\(HoldFile.fileName)" }

    /// The archive's holds (none when the file does not exist).
    public func holds() throws(HoldFile.Unreadable) -> HoldFile {
        guard let data = FileManager.default.contents(atPath: holdsPath) else {
            if FileManager.default.fileExists(atPath: holdsPath) {
                throw HoldFile.Unreadable(description: "\(holdsPath) cannot be read; fix its permissions (retention keeps every backup meanwhile)")
            }
            return HoldFile()
        }
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(HoldFile.self, from: data)
        } catch {
            throw HoldFile.Unreadable(description: "\(holdsPath) is damaged (\(error)); restore it, or remove it and hold again what must be held (retention keeps every backup meanwhile)")
        }
    }

    /// Changes the holds: `change` edits them, expired holds (at `now`) and holds of backups
    /// whose folder is gone are dropped, and the file is replaced atomically. The caller
    /// holds the archive's lock. - Returns: the holds as written.
    @discardableResult
    public func updateHolds(now: Date, _ change: (inout HoldFile) -> Void) throws(ArchiveError) -> HoldFile {
        var file: HoldFile
        do { file = try holds() } catch {
            throw ArchiveError.io(EIO, path: holdsPath, doing: "read the holds (\(error.description))", org: org, jobID: nil, file: nil)
        }
        change(&file)
        // A hold goes with its backup's folder, not with a manifest that cannot be read just now.
        file.holds = file.holds.filter { $0.isActive(at: now) && FileManager.default.fileExists(atPath: "\(path)/\($0.backup)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data: Data
        do { data = try encoder.encode(file) } catch {
            throw ArchiveError.io(EINVAL, path: holdsPath, doing: "encode the holds", org: org, jobID: nil, file: nil)
        }
        do { try AtomicFile.write(data, to: holdsPath) } catch {
            throw ArchiveError.io(error.errno, path: holdsPath, doing: "write the holds", org: org, jobID: nil, file: nil)
        }
        return file
    }
}
