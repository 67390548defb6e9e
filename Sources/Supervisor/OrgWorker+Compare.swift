import BackupArchive
import Foundation
import Reconcile
import Systemd
import ZohoModel

extension OrgWorker {
    /// Compares each backup archived since the last comparison (``OrgState/lastCompared``)
    /// with the one before it — usually just the newest, more when several were archived in
    /// one cycle: a mass change (``Reconcile/massChanges(in:limits:)``) holds the older backup
    /// before retention runs, and each outcome is applied (``Reconcile/apply(_:to:desired:now:)``).
    /// - Returns: false when an older backup should have been held and could not be.
    func compareNewest() async -> Bool {
        let backups = folder.backups()
        guard let newest = backups.last, state.lastCompared != newest.manifest.jobID else { return true }
        guard backups.count >= 2 else { return settleUncompared(newest, why: nil) }
        let after = backups.firstIndex { $0.manifest.jobID == state.lastCompared } ?? backups.count - 2
        for i in (after + 1)..<backups.count {
            // A hold not written: stop here, so this pair is compared again (and retention waits).
            guard await compare(backups[i - 1], backups[i]) else { return false }
        }
        return true
    }

    /// Compares `newer` with `older`, the backup before it. - Returns: false when `older`
    /// should have been held and could not be.
    private func compare(_ older: ArchivedBackup, _ newer: ArchivedBackup) async -> Bool {
        let folder = folder
        let result = await folder.lanes.run { () -> Result<IndexDiff, DiffFailure> in
            do {
                let old = try folder.index(of: older).get(), new = try folder.index(of: newer).get()
                return .success(try IndexDiff.compare(old, new))
            } catch {
                return .failure(DiffFailure(description: "\(error)"))
            }
        }
        let diff: IndexDiff
        switch result {
        case .success(let found): diff = found
        case .failure(let failure): return settleUncompared(newer, why: failure.description)
        }
        let comparison = Comparison(diff, older: older, newer: newer)
        let changes = Reconcile.massChanges(in: comparison, limits: Desired(policy).massChange)
        var holdFailure: String?
        if !changes.isEmpty {
            holdFailure = await hold(older, changes: changes, shownIn: newer)
        }
        return apply(.compared(comparison, holdFailure: holdFailure))
    }

    /// No comparison for `newest` (it is the first backup, or an index is missing): noted, so
    /// it is not tried every cycle.
    private func settleUncompared(_ newest: ArchivedBackup, why: String?) -> Bool {
        if let why {
            logger.warning("backup \(newest.manifest.jobID) is not compared with the one before it, so no mass change in it can raise the alarm: \(why). Build the missing index with `zoho-crm-backup reindex`, then see `zoho-crm-backup diff`.",
                           metadata: [LogField.jobIDKey: .string(newest.manifest.jobID)])
        }
        state.lastCompared = newest.manifest.jobID
        saveState()
        return true
    }

    /// Holds `older`, the last backup before the mass change `changes` shown in `newer`.
    /// - Returns: why it could not be held, or nil.
    private func hold(_ older: ArchivedBackup, changes: [MassChange], shownIn newer: ArchivedBackup) async -> String? {
        guard let lock = await takeArchiveLock(for: "hold backup \(older.name)") else {
            return "the archive's lock could not be taken"
        }
        defer { lock.unlock() }
        let days = Desired(policy).massChange.holdDays
        let day = ZohoDate.format(newer.manifest.completedAt, in: policy.timeZone)
        let hold = Hold(backup: older.name, jobID: older.manifest.jobID, kind: .massChange,
                        reason: "last backup before the mass change of \(Array(Set(changes.map(\.module))).sorted().joined(separator: ", ")) on \(day)",
                        createdAt: now, expiresAt: now.addingTimeInterval(Double(days) * 86_400), changedIn: newer.name,
                        modules: Array(Set(changes.map(\.module))).sorted(), findings: changes.map(\.phrase))
        do {
            try folder.updateHolds(now: now) { file in
                file.holds.removeAll { $0.backup == hold.backup && $0.kind == .massChange && $0.changedIn == hold.changedIn }
                file.holds.append(hold)
            }
            return nil
        } catch {
            return error.description
        }
    }

    /// The mass-change alarm as the holds say (it lasts as long as a mass-change hold is in
    /// force): the `STATUS=` line's part and the metric.
    /// A holds file that cannot be read leaves both as they were (retention refuses to run,
    /// and says why).
    func updateMassChangeAlarm() {
        guard let file = try? folder.holds() else { return }
        let holds = file.holds.filter { $0.kind == .massChange && $0.isActive(at: now) }
        snapshot.massChange = holds.isEmpty ? nil : Array(Set(holds.flatMap { $0.modules ?? [] })).sorted().joined(separator: ", ")
        metrics.setAlarm(kind: .massChange, raised: !holds.isEmpty)
    }

    /// The backups with a hold in force; unreadable holds count as last seen (retention
    /// refuses to run until they can be read).
    func heldBackups() -> Set<String> {
        (try? folder.holds()).map { Set($0.active(at: now).keys) } ?? state.heldBackups ?? []
    }

    /// The held backups changed: remembered, and a release makes retention due.
    func noteHolds(_ held: Set<String>) {
        let before = state.heldBackups ?? []
        for released in before.subtracting(held).sorted() {
            logger.notice("backup \(released) is no longer held: retention decides about it again")
        }
        if !before.isSubset(of: held) { state.pruneDue = true }
        state.heldBackups = held
        saveState()
    }
}

extension Comparison {
    /// The decision's view of an index comparison.
    init(_ diff: IndexDiff, older: ArchivedBackup, newer: ArchivedBackup) {
        self.init(older: older.name, olderJobID: older.manifest.jobID, newer: newer.name, newerJobID: newer.manifest.jobID,
                  newerCompletedAt: newer.manifest.completedAt,
                  modules: diff.modules.map {
                      Comparison.Module(name: $0.name, olderRecords: $0.olderRecords, newerRecords: $0.newerRecords, added: $0.added,
                                        deleted: $0.deleted, changed: $0.changed, vanished: $0.presence == .vanished,
                                        appeared: $0.presence == .appeared, changedComparable: $0.changedIsComparable,
                                        headerChange: $0.columns.isEmpty ? nil : $0.columns.summary, incomplete: $0.incomplete)
                  })
    }
}
