import Foundation

/// Wall-clock time and waiting, injected so tests and the simulator advance time instead of
/// sleeping. Wall time (not a monotonic clock) because what it measures is shared with other
/// processes and with Zoho: token expiry, link expiry, schedules.
public protocol WallClock: Sendable {
    /// Now, as Unix seconds.
    var now: Double { get }
    /// Waits `duration` (a test clock advances instead).
    func sleep(for duration: Duration) async throws
}

extension WallClock {
    public var date: Date { Date(timeIntervalSince1970: now) }
}

/// The real clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public var now: Double { Date().timeIntervalSince1970 }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// A clock that moves only when told to or when something sleeps on it: sleeping advances it
/// at once. For tests and the accelerated simulator.
public final class ManualWallClock: WallClock, @unchecked Sendable {
    // Safe: `current` is read and written only while holding `lock`.
    private let lock = NSLock()
    private var current: Double

    public init(now: Double) { current = now }

    public var now: Double { lock.withLock { current } }

    public func advance(by duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        lock.withLock { current += seconds }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        advance(by: duration)
    }
}
