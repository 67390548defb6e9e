import Foundation
import Logging
import Reconcile
import Systemd

extension OrgWorker {
    func updateFreshnessMetrics() {
        let newest = (archiveSeen ?? observeArchive()).newestBackup
        let freshness = Freshness.evaluate(newestBackup: newest, watchingSince: state.watchingSince, maxAge: policy.maxAge, now: now)
        metrics.setFreshness(newestAgeSeconds: newest.map { now.timeIntervalSince($0) },
                             maxAgeSeconds: policy.maxAge.map { Double($0.components.seconds) }, alarm: freshness.isAlarm)
        let pending = state.seenJobs.values.compactMap(\.expiry).min()
        metrics.setLinksExpiry(pending?.timeIntervalSince1970)
        updateQuarantineMetric()
        updateMassChangeAlarm()
        if policy.offsite != nil { metrics.setAlarm(kind: .offsiteCheck, raised: offsiteState.checkFailure != nil) }
    }

    // MARK: - Reporting

    /// Logs the org's current error at its start, when it changes, and once an hour while it
    /// lasts. - Returns: whether it was logged (an alert goes with it then).
    @discardableResult
    func logError(_ message: String, level: Logger.Level, messageID: MessageID?, jobID: String?, fields: [String: String] = [:]) -> Bool {
        if let last = lastErrorLogged, last.text == message, now.timeIntervalSince(last.at) < 3600 { return false }
        lastErrorLogged = (message, now)
        var metadata: Logger.Metadata = messageID?.metadata ?? [:]
        for (key, value) in fields { metadata[key] = .string(value) }
        if let jobID { metadata[LogField.jobIDKey] = .string(jobID) }
        logger.log(level: level, "\(message)", metadata: metadata)
        return true
    }
}
