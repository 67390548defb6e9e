import Foundation
import Glibc

/// Named points in the archive's work where tests make things fail or the process die.
///
/// In-process tests pass a closure that throws at a point. Out-of-process crash tests set
/// the documented test hook `ZOHO_CRM_BACKUP_FAULT=<point>` (or `<point>:<n>` for the n-th
/// time the point is reached), which kills the process with SIGKILL there — as a power cut
/// or `kill -9` would. Unset, nothing happens.
public struct FaultPoints: Sendable {
    public static let environmentVariable = "ZOHO_CRM_BACKUP_FAULT"

    private let hook: @Sendable (String) throws -> Void

    public init(_ hook: @escaping @Sendable (String) throws -> Void) { self.hook = hook }

    /// No faults.
    public static let none = FaultPoints { _ in }

    /// The process-kill hook from the environment, or `none`.
    ///
    /// `hold:<point>:<file>` instead holds every thread that reaches `<point>` until `<file>`
    /// exists (tests of a verification that never ends: `verify.entry` is reached on the
    /// verification lanes, before each zip entry is inflated).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FaultPoints {
        guard let spec = environment[environmentVariable], !spec.isEmpty else { return .none }
        if spec.hasPrefix("hold:") {
            let fields = spec.dropFirst("hold:".count).split(separator: ":", maxSplits: 1).map(String.init)
            guard fields.count == 2 else { return .none }
            let (point, file) = (fields[0], fields[1])
            return FaultPoints { name in
                guard name == point else { return }
                while access(file, F_OK) != 0 { usleep(50_000) }
            }
        }
        let parts = spec.split(separator: ":")
        let point = String(parts[0])
        let nth = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
        let counter = Counter()
        return FaultPoints { name in
            guard name == point, counter.increment() == nth else { return }
            kill(getpid(), SIGKILL)
        }
    }

    /// Reached `point`.
    public func hit(_ point: String) throws { try hook(point) }

    /// Thrown by a hook to make the work at that point fail as the system would with `code`
    /// (`ENOSPC`, `EROFS`, `EACCES`, …).
    public struct SystemError: Error {
        public let code: Int32
        public init(_ code: Int32) { self.code = code }
    }

    /// Counts how often a point was reached. Safe: the count is read and written only under `lock`.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func increment() -> Int { lock.withLock { count += 1; return count } }
    }
}
