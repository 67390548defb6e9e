import Foundation
import ZohoModel

extension Reconcile {
    /// The state to save before a POST is sent: the intent, so that a crash or an unanswered
    /// request never leads to a second POST before an observation says what Zoho did.
    /// `linksJobBefore`: for an immediate backup, the job of the links Zoho lists now.
    public static func beforePost(rule: String?, jobBefore: String?, linksJobBefore: String? = nil, to state: OrgState, now: Date) -> OrgState {
        var next = state
        next.pendingPost = OrgState.PendingPost(rrule: rule, sentAt: recordTime(now), jobIDBefore: jobBefore,
                                                linksJobBefore: rule == nil ? linksJobBefore : nil)
        return next
    }

    /// A time as the request files keep it: whole seconds (their JSON has no fraction), rounded
    /// up — so the record in memory equals the one on disk (writers compare them), and an
    /// observation made in the second of the send never counts as newer than it.
    public static func recordTime(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.up))
    }

    /// What an outcome does to the org's state, and what is reported. Pure: the shell saves
    /// the state and carries out the reports.
    public static func apply(_ outcome: Outcome, to state: OrgState, desired: Desired, now: Date) -> (OrgState, [Report]) {
        var next = state
        let org = desired.org
        // Each case computes its report (which records the error in `next`) before returning `next`.
        func failed(_ failure: Outcome.Failure, hint: String? = nil, level: Report.Level = .error, counts: [Report.Count] = []) -> Report {
            let jobID = failure.jobID
            next.lastError = OrgState.LastError(kind: failure.name, message: failure.message, hint: hint ?? failure.hint, at: now, jobID: jobID)
            return Report(level, failure.message, event: failure.kind == .credentials ? .credentialsRejected : nil, jobID: jobID,
                          isError: true, counts: counts, hint: hint ?? failure.hint)
        }
        switch outcome {
        case .postAccepted(let rule, let id):
            if rule == nil {
                // Remembered until settled: a second `now` reports it instead of spending another backup.
                next.immediateRequest = OrgState.ImmediateRequest(sentAt: state.pendingPost?.sentAt ?? recordTime(now), jobID: id,
                                                                  linksJobBefore: state.pendingPost?.linksJobBefore)
            }
            next.pendingPost = nil
            return (next, [Report(.notice, "[\(org)] \(rule.map { "scheduled \($0) in Zoho" } ?? "an immediate backup was requested in Zoho") (job \(id))",
                                  event: .scheduleChanged, jobID: id)])
        case .postFailed(_, let failure):
            switch failure.kind {
            case .ambiguous:
                // Keep the intent: the next observation says whether it took effect.
                let report = failed(failure, level: .warning)
                return (next, [report])
            case .alreadyScheduled:
                next.pendingPost = nil
                next.alreadyScheduledAt = now
                let report = failed(failure, hint: "The daemon observes Zoho again before any other request.", level: .warning)
                return (next, [report])
            case .limitExceeded:
                next.pendingPost = nil
                let until = Quota.nextMonthStart(after: now, timeZone: desired.timeZone)
                next.quotaBlockedUntil = until
                let hint = "No backup request is sent to Zoho before \(ISO8601DateFormatter().string(from: until)) (the next month in \(desired.timeZone.identifier))."
                let report = failed(failure, hint: hint, counts: [.quotaError])
                return (next, [report])
            case .notNow, .credentials, .other:
                next.pendingPost = nil
                let report = failed(failure, counts: [.failure(.zoho)])
                return (next, [report])
            }
        case .cancelled(let id, let rule, let already):
            guard !already else { return (next, []) }
            return (next, [Report(.notice, "[\(org)] cancelled Zoho's recurring schedule \(rule ?? "") (job \(id))", event: .scheduleChanged, jobID: id)])
        case .cancelFailed(_, let failure):
            // Running or gone: the next observation decides again; nothing to alarm about.
            if failure.kind == .notNow { return (next, [Report(.info, "[\(org)] \(failure.message)")]) }
            let report = failed(failure, counts: [.failure(.zoho)])
            return (next, [report])
        case .archived(let a):
            next.seenJobs[a.jobID] = nil
            next.pruneDue = true
            // A lost backup stays the headline until a newer one is archived.
            if next.lastError?.kind == OrgState.linksExpiredKind { next.lastError = nil }
            next.lastArchived = a.name
            let text = "[\(org)] archived backup \(a.jobID): \(a.parts) part\(a.parts == 1 ? "" : "s"), \(a.bytes) bytes, verified, in \(a.folder)"
                + (a.fromDisk ? " (committed from .partial/, where it was complete)" : "")
            return (next, [Report(.notice, text, event: .backupArchived, jobID: a.jobID, counts: [.archived(bytes: a.bytes, parts: a.parts)])])
        case .archiveFailed(_, let failure, let countedAs):
            var report = failed(failure, counts: [.failure(countedAs)])
            report.event = .backupFailed
            return (next, [report])
        case .linksLost(let id, let expiry):
            next.lostJobs = Array((next.lostJobs + [id]).suffix(100))
            next.seenJobs[id] = nil
            let when = expiry.map { ISO8601DateFormatter().string(from: $0) } ?? "before it could be downloaded"
            let message = "[\(org)] lost: links expired — backup \(id) was not archived before its links expired (\(when))"
            next.lastError = OrgState.LastError(
                kind: OrgState.linksExpiredKind, message: message,
                hint: "This backup cannot be downloaded any more. Look at the errors logged for this org before it (disk, network, credentials), fix them, and start a new backup with `zoho-crm-backup now --org \(org)` if one is needed before the next scheduled one.",
                at: now, jobID: id)
            return (next, [Report(.critical, message, event: .linksExpired, jobID: id, isError: true, counts: [.failure(.linksExpired)],
                                  hint: next.lastError?.hint)])
        case .pruned(let removed):
            next.pruneDue = false
            return (next, removed.map {
                Report(.notice, "[\(org)] retention removed backup \($0.backup) (\($0.reasons.joined(separator: ", ")))",
                       event: .retentionRemoved, jobID: $0.jobID)
            })
        case .removedNotOffsite(let removed):
            return (next, removed.map {
                Report(.error, "[\(org)] backup \($0.backup) removed before it was copied off-site: the archive's disk is below archive.min_free and a new backup needs the room, which wins over offsite.required (\($0.reasons.joined(separator: ", "))). Fix the off-site copy (`zoho-crm-backup offsite status`) or give the archive more room.",
                       event: .retentionRemoved, jobID: $0.jobID, counts: [.failure(.removedNotOffsite)])
            })
        case .quarantined(let id, let files, let folder):
            let text = "[\(org)] backup \(id): its links expired; Zoho's bytes of \(files.joined(separator: ", ")) are kept in \(folder) (QUARANTINE.json says which verified). The daemon never deletes them: check them with unzip -t and remove the folder when done."
            return (next, [Report(.critical, text, event: .partsQuarantined, jobID: id)])
        case .compared(let comparison, let holdFailure):
            // A hold that could not be written: the pair is compared again next time (retention waits).
            if holdFailure == nil { next.lastCompared = comparison.newerJobID }
            let reports = comparedReports(comparison, holdFailure: holdFailure, desired: desired, next: &next, now: now)
            return (next, reports)
        case .problem(let failure, let countedAs):
            let report = failed(failure, counts: countedAs.map { [.failure($0)] } ?? [])
            return (next, [report])
        case .linksUnreadable(let problem):
            let message = "[\(org)] Zoho's download links are not understood: \(problem)"
            next.lastError = OrgState.LastError(
                kind: "linksUnreadable", message: message,
                hint: "Nothing can be downloaded while this lasts. Download the backup from Zoho's web UI before its links expire, and report this message: Zoho may have changed its link format.",
                at: now, jobID: nil)
            return (next, [Report(.error, message, event: .linksUnreadable, isError: true, counts: [.failure(.linksUnreadable)],
                                  hint: next.lastError?.hint)])
        }
    }

    /// The reports of a comparison: the metrics of every module, the alarm when a module is
    /// over a limit (the older backup held), header changes and vanished modules as notices.
    static func comparedReports(_ c: Comparison, holdFailure: String?, desired: Desired, next: inout OrgState, now: Date) -> [Report] {
        let org = desired.org
        let counts = c.modules.filter { !$0.vanished }.map {
            Report.Count.records(module: $0.name, records: $0.newerRecords, deleted: $0.deleted, changed: $0.changed)
        }
        var reports: [Report] = []
        let changes = massChanges(in: c, limits: desired.massChange)
        if changes.isEmpty {
            let moved = c.modules.filter { $0.added + $0.deleted + $0.changed > 0 || $0.appeared || $0.vanished }
            let summary = moved.isEmpty ? "no record changed" : moved.map { m in
                m.appeared ? "\(m.name) appeared (\(MassChange.grouped(m.newerRecords)))" : m.vanished ? "\(m.name) vanished (had \(MassChange.grouped(m.olderRecords)))"
                    : "\(m.name) +\(MassChange.grouped(m.added)) −\(MassChange.grouped(m.deleted)) ~\(MassChange.grouped(m.changed))"
            }.joined(separator: ", ")
            reports.append(Report(.info, "[\(org)] backup \(c.newerJobID) against the one before it (\(c.older)): \(summary)", jobID: c.newerJobID, counts: counts))
        } else {
            let phrases = changes.map(\.phrase).joined(separator: "; ")
            let held = holdFailure.map { "backup \(c.older) could not be held (\($0)): retention may remove it" } ?? "backup \(c.older) is held"
            let message = "[\(org)] mass change: \(phrases) between backup \(c.older) and backup \(c.newer); \(held)"
            let modules = changes.map(\.module)
            var fields = ["module": modules.joined(separator: ","), "older_backup": c.older, "newer_backup": c.newer,
                          "held_backup": holdFailure == nil ? c.older : ""]
            if let first = changes.first { fields["records_\(first.kind.rawValue)"] = String(first.count) }
            if let failure = holdFailure {
                next.lastError = OrgState.LastError(
                    kind: "holdFailed", message: message,
                    hint: "Fix the archive folder (\(failure)), then pin the backup by hand: zoho-crm-backup hold --org \(org) \(c.older) --reason 'before the mass change'",
                    at: now, jobID: c.newerJobID)
            }
            reports.append(Report(.critical, message, event: .massChange, jobID: c.newerJobID, isError: holdFailure != nil, counts: counts, fields: fields))
        }
        for module in c.modules where module.incomplete {
            reports.append(Report(.warning, "[\(org)] \(module.name): a file of it could not be read to its end in backup \(c.older) or \(c.newer) (`zoho-crm-backup inspect` names it); its counts are lower bounds and the mass-change alarm does not judge it",
                                  jobID: c.newerJobID, fields: ["module": module.name]))
        }
        for module in c.modules {
            if let change = module.headerChange, !module.appeared, !module.vanished {
                reports.append(Report(.notice, "[\(org)] \(module.name): \(change) between backup \(c.older) and backup \(c.newer)"
                                      + (module.changedComparable ? "" : " (every record with a value there shows as changed: reported, not an alarm)"),
                                      jobID: c.newerJobID, fields: ["module": module.name]))
            }
        }
        return reports
    }
}
