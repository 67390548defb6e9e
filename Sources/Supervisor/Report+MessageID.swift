import Reconcile
import Systemd

extension Report {
    /// The journal `MESSAGE_ID` of this report's entry (and of its alert): every alert has one
    /// but the daily digest, which is never a journal entry.
    public var messageID: MessageID? {
        switch event {
        case .scheduleChanged: .scheduleChanged
        case .credentialsRejected: .credentialsRejected
        case .backupArchived: .backupArchived
        case .backupFailed: .backupFailed
        case .linksExpired: .linksExpired
        case .linksUnreadable: .linksUnreadable
        case .retentionRemoved: .retentionRemoved
        case .partsQuarantined: .partsQuarantined
        case .massChange: .massChange
        case .offsiteCopied: .offsiteCopied
        case .offsiteFailed: .offsiteFailed
        case .offsiteCheckFailed: .offsiteCheckFailed
        case .backupLate: .freshnessAlarm
        case .backupOnTime: .freshnessRecovered
        case .backupStarted: .downloadStarted
        case .daemonStarted: .daemonStarted
        case .daemonStopping: .daemonStopping
        case .dailyDigest: nil
        case nil: counts.contains(.quotaError) ? .quotaExhausted : nil
        }
    }
}
