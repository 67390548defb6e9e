import Foundation
import Reconcile

/// What the daemon shows about one org between cycles (STATUS=, metrics, tests).
public struct OrgSnapshot: Sendable, Equatable {
    public var org: String
    /// The last cycle failed (credentials, Zoho, disk, …).
    public var failing: Bool
    /// The job being downloaded now, if any, and its parts.
    public var downloading: (jobID: String, parts: Int)?
    /// Zoho's next scheduled occurrence, when Zoho shows one.
    public var nextBackup: Date?
    /// What the last cycle decided.
    public var lastActions: [Action]
    /// The modules of the mass changes whose holds are in force (`Contacts, Leads`); nil: no such alarm.
    public var massChange: String?

    public init(org: String) {
        self.org = org
        failing = false
        lastActions = []
    }

    public static func == (a: OrgSnapshot, b: OrgSnapshot) -> Bool {
        a.org == b.org && a.failing == b.failing && a.downloading?.jobID == b.downloading?.jobID
            && a.nextBackup == b.nextBackup && a.lastActions == b.lastActions && a.massChange == b.massChange
    }
}
