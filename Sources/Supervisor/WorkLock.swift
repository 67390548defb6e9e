import BackupArchive
import Foundation
import Reconcile
import ZohoModel

/// The locks a unit of work holds, released in reverse order: the org's lock in the state
/// folder, then (for work that writes into the archive) the archive's own.
final class WorkLock: Sendable {
    let locks: [FileLock]

    init(_ locks: [FileLock]) { self.locks = locks }

    /// Releases every lock, the last taken first. Releasing twice is harmless.
    func unlock() { for lock in locks.reversed() { lock.unlock() } }
}

extension OrgWorker {
    /// What this process writes into the archive's lock file: who to look for when another holds it.
    var archiveHolder: String { "pid \(getpid()), state_dir \(storeStateDir)" }

    /// The org's lock, then the archive's (the order every writer uses); nil, reported, when
    /// another process keeps either.
    func takeArchiveLock(for work: String) async -> WorkLock? {
        guard let state = await takeLock(for: work) else { return nil }
        do {
            if let archive = try await folder.lock(holder: archiveHolder, timeout: environment.lockTimeout) {
                return WorkLock([state, archive])
            }
            state.unlock()
            _ = apply(.problem(Outcome.Failure(.other, name: "archiveInUse",
                                               message: "[\(policy.name)] \(work) postponed: the archive \(folder.path) is in use by another process (\(folder.lockHolder() ?? "unknown")), which has a state folder of its own",
                                               hint: "Two daemons, or a daemon and a command run with another policy, write into one archive. Give each its own archive.path, or run the command with the daemon's policy."),
                               countedAs: nil))
        } catch {
            state.unlock()
            _ = apply(.problem(Self.failure(error, jobID: nil), countedAs: nil))
        }
        return nil
    }
}
