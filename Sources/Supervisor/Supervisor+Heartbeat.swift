import Foundation
import Systemd

extension Supervisor {
    /// Writes pending metrics and the current `STATUS=`.
    func refreshOutputs() async {
        lastRefresh = ContinuousClock.now
        // After a cycle, and at least once a minute: the file's age tells a monitor the daemon
        // is alive (the packaged Prometheus rules alert when it is 15 minutes old).
        if metricsPending || lastMetricsWrite.map({ ContinuousClock.now - $0 >= environment.metricsRefresh }) ?? true {
            metricsPending = false
            writeMetrics()
        }
        await refreshStatusAsync()
    }

    /// Sends `WATCHDOG=1` and the current `STATUS=` while the supervisor's own loop turns
    /// (a stopped process sends nothing, and systemd restarts it).
    func heartbeat() async {
        let interval = notifier.watchdogInterval.map { $0 / 2 } ?? .seconds(5)
        let tick = min(interval, .seconds(5))
        while !Task.isCancelled {
            await heartbeatTick()
            do { try await Task.sleep(for: tick) } catch { return }
        }
    }

    /// One turn of the supervisor's own loop: `WATCHDOG=1`, the `heartbeat:` ping when it is
    /// due, the metrics and `STATUS=`, the daily digest. (Tests call it.)
    public func heartbeatTick() async {
        if notifier.watchdogInterval != nil { notifier.watchdog() }
        pingHeartbeat()
        await refreshOutputs()
        await digestIfDue()
    }
}
