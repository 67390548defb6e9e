import BackupArchive
import Systemd
import Foundation

extension OrgWorker {
    /// At start: builds the record index of the org's newest backup when it has none (archived
    /// before indexes existed) or it is damaged, so `inspect` and the comparisons work from the
    /// first cycle. Under the org's and the archive's locks. - Returns: whether it is settled
    /// (false: the lock was busy; tried again next cycle).
    func indexNewestBackup() async -> Bool {
        guard let newest = folder.backups().last, case .failure(let problem) = folder.index(of: newest) else { return true }
        guard let lock = await takeArchiveLock(for: "build the record index") else { return false }
        defer { lock.unlock() }
        do {
            let index = try await folder.reindex(newest)
            logger.notice("built the record index of backup \(newest.manifest.jobID) (\(newest.name)), which had none usable (\(problem.description)): \(index.header.modules.reduce(0) { $0 + $1.records }) records in \(index.header.modules.count) modules",
                          metadata: [LogField.jobIDKey: .string(newest.manifest.jobID)])
        } catch {
            logger.warning("cannot build the record index of backup \(newest.manifest.jobID): \(error.description); the backup itself is intact, and this is tried again at the next start (or run `zoho-crm-backup reindex`)",
                           metadata: [LogField.jobIDKey: .string(newest.manifest.jobID)])
        }
        return true
    }
}
