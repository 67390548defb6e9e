import Foundation
import CSystemd
import Glibc

/// Tells systemd how the service is doing, through `sd_notify` (libsystemd).
///
/// Outside systemd (no `NOTIFY_SOCKET`) every call does nothing, so the daemon can run by
/// hand. Messages: `READY=1` once the policy is loaded, `STATUS=` a one-line summary,
/// `WATCHDOG=1` from the healthy loop, `RELOADING=1` then `READY=1` around a reload,
/// `STOPPING=1` on shutdown.
public struct Notifier: Sendable {
    public init() {}

    /// Whether systemd listens (the process was started with `NOTIFY_SOCKET`).
    public var isActive: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends `fields` (`NAME=value`, one per line) in one datagram.
    ///
    /// - Returns: false when systemd did not take it (no socket, or an error); the daemon
    ///   goes on either way: notification is best effort.
    @discardableResult
    public func send(_ fields: [String]) -> Bool {
        let message = fields.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
        return sd_notify(0, message) > 0
    }

    @discardableResult public func ready(status: String? = nil) -> Bool {
        send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    @discardableResult public func status(_ text: String) -> Bool { send(["STATUS=\(text)"]) }

    @discardableResult public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (systemd ≥ 253 requires it; older ones ignore it).
    @discardableResult public func reloading() -> Bool {
        send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    @discardableResult public func stopping() -> Bool { send(["STOPPING=1"]) }

    /// The watchdog interval systemd expects pings within (`WATCHDOG_USEC`), if enabled.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1_000
    }
}
