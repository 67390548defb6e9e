import Foundation
import ZohoModel

/// What the policy wants of one org, as far as decisions go: built by the caller from the
/// org's policy (``Reconcile`` does not know the policy file's types).
public struct Desired: Sendable, Equatable {
    /// The org's name, as the policy names it (reports carry it).
    public var org: String
    /// The schedule Zoho should have: an RRULE, `none`, or `unmanaged`.
    public var schedule: BackupSchedule
    /// `alert.max_age`; nil: no freshness alarm.
    public var maxAge: Duration?
    /// The org's zone: quota months and occurrences.
    public var timeZone: TimeZone
    /// Whether `Attachments_NNN.zip` parts are archived (`attachments: false` leaves them out).
    public var attachments: Bool
    /// The mass-change alarm's limits (`alert.max_deleted`, …).
    public var massChange: MassChangeLimits
    /// The off-site repository as it may be shown (a URL's password masked), if the org has one.
    public var offsiteRepository: String?

    /// Makes the decision-relevant part of an org's policy (built by the caller).
    public init(org: String, schedule: BackupSchedule, maxAge: Duration?, timeZone: TimeZone, attachments: Bool = true,
                massChange: MassChangeLimits = .default) {
        self.massChange = massChange
        self.org = org
        self.schedule = schedule
        self.maxAge = maxAge
        self.timeZone = timeZone
        self.attachments = attachments
    }

    /// The links of a backup that are archived: attachment parts only when the policy wants them.
    public func archivedLinks(_ links: [DownloadLink]) -> [DownloadLink] {
        attachments ? links : links.filter { $0.kind != .attachments }
    }
}
