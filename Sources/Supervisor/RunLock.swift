import Foundation
import ZohoModel

/// `<state_dir>/run.lock`: one daemon per state folder, held for the daemon's lifetime.
///
/// The kernel releases it when the process dies, `kill -9` included, so a crash never leaves
/// a lock that blocks the next start.
public enum RunLock {
    /// A second daemon on the same state, or a state folder that cannot be used.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Creates `stateDir` (0700) if needed and takes its run lock.
    ///
    /// - Returns: the held lock; keep it for the daemon's lifetime.
    /// - Throws: ``Failure`` saying that another daemon holds it (and how to stop it), or why
    ///   the folder or lock file cannot be used.
    public static func acquire(stateDir: String) throws(Failure) -> FileLock {
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot create the state folder \(stateDir): \(error.localizedDescription); check state_dir in the policy and the folder's owner")
        }
        let path = stateDir + "/run.lock"
        let lock: FileLock?
        do {
            lock = try FileLock.tryAcquire(path)
        } catch {
            throw Failure(description: "cannot take \(path): \(error); check the folder's owner (the daemon runs as zoho-crm-backup)")
        }
        guard let lock else {
            throw Failure(description: "another zoho-crm-backup daemon is running on \(stateDir) (\(path) is locked); stop it first (systemctl stop zoho-crm-backup) or give this one another state_dir")
        }
        return lock
    }
}
