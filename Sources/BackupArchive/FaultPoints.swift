import Foundation
import Glibc

/// Every named point in the daemon's work where tests make things fail or the process die.
/// The README's list of test hooks is checked against this list.
public enum FaultPoint: String, CaseIterable, Sendable {
    // The supervisor's own work.
    /// A reload's parse thread, before it reads the policy file (SIGHUP).
    case reloadParse = "reload.parse"
    /// A change to Zoho's schedule decided, before the org's lock is taken for it.
    case postBeforeLock = "post.beforeLock"
    /// A backup request recorded on disk, before it is POSTed to Zoho.
    case postBeforeSend = "post.beforeSend"
    /// Zoho accepted the POST, before its outcome is applied.
    case postAfterSend = "post.afterSend"
    /// Zoho accepted a cancel, before its outcome is applied.
    case cancelAfterSend = "cancel.afterSend"
    /// An org's `state.json` encoded, before it is written and renamed into place.
    case stateBeforeRename = "state.beforeRename"
    // The archive's.
    /// A part's first piece of bytes written to its `.partial` file.
    case partMidStream = "part.midStream"
    /// A part downloaded whole, before it is fsync'd.
    case partBeforeFsync = "part.beforeFsync"
    /// A part fsync'd, before its marker is written.
    case partAfterFsync = "part.afterFsync"
    /// Before each part of a job but the first.
    case jobBetweenParts = "job.betweenParts"
    /// Every part of a job downloaded and verified, before the commit.
    case jobAfterVerify = "job.afterVerify"
    /// Every part verified, before the record index is written into the job's folder.
    case indexBeforeWrite = "index.beforeWrite"
    /// `SHA256SUMS` written, before `manifest.json`.
    case commitBeforeManifest = "commit.beforeManifest"
    /// The job sealed in `.partial/`, before it is renamed into the archive.
    case commitBeforeRename = "commit.beforeRename"
    /// Right after the backup's folder is renamed into the archive.
    case commitAfterRename = "commit.afterRename"
    /// Right before the archive folder is fsync'd after that rename.
    case commitBeforeDirFsync = "commit.beforeDirFsync"
    /// A pruned backup moved out of sight into `.partial/`, before it is deleted.
    case pruneMidDelete = "prune.midDelete"
    /// On a verification lane, before each zip entry is inflated.
    case verifyEntry = "verify.entry"
    /// restic started copying a backup off-site (it runs as the daemon's child).
    case offsiteMidCopy = "offsite.midCopy"
    /// restic confirmed an off-site snapshot, before the copy is recorded in `offsite.json`.
    case offsiteBeforeRecord = "offsite.beforeRecord"
    /// A restore, half-way through writing a file (its temporary copy), before its rename.
    case restoreMidFile = "restore.midFile"
}

/// The hook behind the ``FaultPoint``s.
///
/// In-process tests pass a closure that throws at a point. Out-of-process crash tests set
/// the documented test hook `ZOHO_CRM_BACKUP_FAULT=<point>` (or `<point>:<n>` for the n-th
/// time the point is reached), which kills the process with SIGKILL there — as a power cut
/// or `kill -9` would. Unset, nothing happens. A release build obeys it only when
/// ``enableVariable`` is `1` as well, so a stray variable on a production host injects nothing.
public struct FaultPoints: Sendable {
    /// The test hook's variable: `<point>[:n]` kills the process there, `hold:<point>:<file>` holds it.
    public static let environmentVariable = "ZOHO_CRM_BACKUP_FAULT"
    /// The second switch a release build needs before it obeys ``environmentVariable``.
    public static let enableVariable = "ZOHO_CRM_BACKUP_TEST_HOOKS"

    private let hook: @Sendable (FaultPoint) throws -> Void

    /// A hook ``injected(_:)`` calls at every point; in-process tests throw from it to fail the work there.
    public init(_ hook: @escaping @Sendable (FaultPoint) throws -> Void) { self.hook = hook }

    /// No faults.
    public static let none = FaultPoints { _ in }

    /// Whether this build obeys the environment's hook: always in a debug build (the tests'),
    /// only with ``enableVariable``=1 in a release build.
    public static func hooksEnabled(_ environment: [String: String]) -> Bool {
        #if DEBUG
        return true
        #else
        return environment[enableVariable] == "1"
        #endif
    }

    /// The process-kill hook from the environment, or `none`.
    ///
    /// `hold:<point>:<file>` instead holds every thread that reaches `<point>` until `<file>`
    /// exists (tests of a verification that never ends).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FaultPoints {
        guard let spec = environment[environmentVariable], !spec.isEmpty, hooksEnabled(environment) else { return .none }
        if spec.hasPrefix("hold:") {
            let fields = spec.dropFirst("hold:".count).split(separator: ":", maxSplits: 1).map(String.init)
            guard fields.count == 2, let point = FaultPoint(rawValue: fields[0]) else { return .none }
            let file = fields[1]
            return FaultPoints { reached in
                guard reached == point else { return }
                while access(file, F_OK) != 0 { usleep(50_000) }
            }
        }
        let parts = spec.split(separator: ":")
        guard let first = parts.first, let point = FaultPoint(rawValue: String(first)) else { return .none }
        let nth = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        let counter = Counter()
        return FaultPoints { reached in
            guard reached == point, counter.increment() == nth else { return }
            kill(getpid(), SIGKILL)
        }
    }

    /// Reached `point`: the one place a fault enters the daemon's work. A hook's error comes
    /// back as ``InjectedFault`` naming the point.
    public func injected(_ point: FaultPoint) throws(InjectedFault) {
        do { try hook(point) } catch {
            throw InjectedFault(point: point, errno: (error as? SystemError)?.code ?? EIO)
        }
    }

    /// Thrown by a hook to make the work at that point fail as the system would with `code`
    /// (`ENOSPC`, `EROFS`, `EACCES`, …); any other error stands for `EIO`.
    public struct SystemError: Error {
        /// The errno the work fails with (`ENOSPC`, `EROFS`, …).
        public let code: Int32
        /// Fails the work as the system would with errno `code`.
        public init(_ code: Int32) { self.code = code }
    }

    /// Counts how often a point was reached. Safe: the count is read and written only under `lock`.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() -> Int { lock.withLock { count += 1; return count } }
    }
}

/// A fault a test injected at `point`: the work there fails as the system would with `errno`.
public struct InjectedFault: Error, Sendable, CustomStringConvertible {
    /// Where the fault was injected.
    public var point: FaultPoint
    /// The errno the work fails with: the hook's ``FaultPoints/SystemError`` code, else `EIO`.
    public var errno: Int32
    /// The sentence shown in errors and logs: names the point and the system error's text.
    public var description: String { "fault injected at \(point.rawValue): \(String(cString: strerror(errno)))" }
}
