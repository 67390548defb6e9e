import Foundation
import Notify
import Policy
import Reconcile
import ZohoModel

extension Supervisor {
    /// The daily digest: at each `digest_at`, one message per distinct destination that takes
    /// `daily_digest` — every org's newest backup, its age, its alarms, its off-site lag.
    /// Called from the heartbeat's loop; when each destination last had one is kept in
    /// `<state_dir>/digest.json`, so a restart neither repeats nor skips a day. (Tests call it.)
    public func digestIfDue() async {
        let refs = AlertQueue.targets(of: .dailyDigest, org: nil, orgs: policy.orgs)
        guard !refs.isEmpty else { return }
        let now = environment.clock.date
        let path = policy.stateDir + "/digest.json"
        if digestSent == nil { digestSent = Self.readDigestState(path) }
        var sent = digestSent ?? [:]
        var due: [DestinationRef] = []
        for ref in refs {
            let minute = policy.org(ref.org)?.notify?.destinations.first { $0.name == ref.name }?.email?.digestMinute ?? 7 * 60
            guard let last = sent[ref.description] else {
                sent[ref.description] = now   // the first: from now on, at its time
                continue
            }
            if Reconcile.digestDue(last: last, minuteOfDay: minute, now: now, timeZone: loader.systemTimeZone) { due.append(ref) }
        }
        if !due.isEmpty {
            var orgs: [(name: String, lines: [String], alarm: Bool)] = []
            for org in policy.orgs {
                guard let worker = workers[org.name] else { continue }
                orgs.append(Self.digestLines(await worker.status(daemonRunning: true, now: now), now: now))
            }
            alerts.post(Reconcile.digestReport(host: ProcessInfo.processInfo.hostName, orgs: orgs), to: due, org: nil, messageID: nil, now: now)
            for ref in due { sent[ref.description] = now }
        }
        if sent != digestSent {
            digestSent = sent
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            if let data = try? encoder.encode(sent) { try? AtomicFile.write(data, to: path) }
        }
    }

    static func readDigestState(_ path: String) -> [String: Date] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return FileManager.default.contents(atPath: path).flatMap { try? decoder.decode([String: Date].self, from: $0) } ?? [:]
    }

    /// One org's lines in the digest, and whether it is in alarm.
    static func digestLines(_ status: OrgStatus, now: Date) -> (name: String, lines: [String], alarm: Bool) {
        var lines: [String] = []
        if let newest = status.newest_backup {
            lines.append("newest backup \(newest.folder), \(TimeSpan.format(.seconds(newest.age_seconds))) old")
        } else {
            lines.append("no backup archived yet")
        }
        if status.freshness_alarm { lines.append("ALARM: \(status.freshness)") }
        if status.mass_change_alarm { lines.append("ALARM: a mass change; the backup before it is held (`zoho-crm-backup hold --org \(status.org)` lists it)") }
        if let offsite = status.offsite {
            lines.append("off-site: \(offsite.lag_backups) backup\(offsite.lag_backups == 1 ? "" : "s") not yet copied")
            if let error = offsite.error { lines.append("ALARM: off-site copies fail: \(error)") }
            if let damage = offsite.check_error { lines.append("ALARM: the off-site repository failed its check: \(damage)") }
        }
        if let error = status.last_error { lines.append("last error: \(error.message)") }
        let alarm = status.freshness_alarm || status.mass_change_alarm || status.offsite?.error != nil || status.offsite?.check_error != nil
        return (status.org, lines, alarm)
    }
}
