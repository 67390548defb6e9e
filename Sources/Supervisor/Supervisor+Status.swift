import BackupArchive
import Foundation
import Logging
import Systemd
import ZohoModel

/// What the daemon tells systemd and Prometheus: the `STATUS=` line and the metrics textfile.
extension Supervisor {
    /// The one-line summary for `STATUS=`.
    public func statusSummary() async -> StatusSummary {
        var ok: [String] = [], failing: [String] = [], downloads: [StatusSummary.Download] = []
        var next: (org: String, at: Date)?
        var massChanges: [String] = [], offsiteFailing: [String] = [], offsiteDamaged: [String] = []
        for org in policy.orgs {
            guard let worker = workers[org.name] else { continue }
            let snapshot = await worker.snapshot
            // In error, or in freshness alarm: either way the admin must look.
            let alarm = await worker.state.freshnessAlarm
            if let modules = snapshot.massChange { massChanges.append("\(org.name) (\(modules))") }
            let offsiteFailed = await worker.offsiteState.failure != nil && org.offsite != nil
            if offsiteFailed { offsiteFailing.append(org.name) }
            let damaged = await worker.offsiteState.checkFailure != nil && org.offsite != nil
            if damaged { offsiteDamaged.append(org.name) }
            if snapshot.failing || alarm || snapshot.massChange != nil || offsiteFailed || damaged { failing.append(org.name) } else { ok.append(org.name) }
            if let d = snapshot.downloading {
                let progress = worker.folder.progress(jobID: d.jobID)
                downloads.append(.init(org: org.name, partsDone: max(0, min(d.parts, progress.files - 1)), partsTotal: d.parts,
                                       bytesDone: progress.bytes, bytesTotal: nil))
            }
            if let at = snapshot.nextBackup, next == nil || at < next!.at { next = (org.name, at) }
        }
        return StatusSummary(orgsOK: ok, orgsFailing: failing, downloads: downloads, nextBackup: next, massChanges: massChanges,
                             offsiteFailing: offsiteFailing, offsiteCheckFailed: offsiteDamaged)
    }

    func refreshStatus() {
        if policy.orgs.isEmpty { lastStatusLine = "no orgs configured" }
    }

    func refreshStatusAsync() async {
        let line = await statusSummary().line
        guard line != lastStatusLine else { return }
        lastStatusLine = line
        notifier.status(line)
    }

    /// Writes the metrics textfile when the policy names one.
    func writeMetrics() {
        guard let path = policy.metricsTextfile else { return }
        lastMetricsWrite = ContinuousClock.now
        do {
            try MetricsTextfile.write(environment.metrics, to: path)
            metricsErrorLogged = false
        } catch {
            if !metricsErrorLogged {
                environment.logger.error("cannot write the metrics textfile \(path): \(error); check metrics.textfile and that the folder is writable by the service user")
                metricsErrorLogged = true
            }
        }
    }
}
