import Foundation
import Reconcile
import ZohoModel

extension OrgWorker {
    /// What `plan` shows: an observation of Zoho and the archive and what `run` would do now,
    /// with nothing done.
    public func plan() async -> OrgPlan {
        let look = await look()
        return OrgPlan(org: policy.name, schedule: policy.schedule.description, observed_at: look.remote?.observedAt,
                       zoho_job: look.remote?.job, links_job_id: look.remote?.linksJobID,
                       links_expiry: look.remote?.urls?.expiryDate, actions: look.actions.map(\.description),
                       wait: look.actions.compactMap { if case .wait(let why) = $0 { OrgPlan.Wait(why) } else { nil } },
                       error: look.error?.message, hint: look.error?.hint)
    }
}

/// One org's plan, as `plan` prints it (and `--json` writes it, these names being its keys).
public struct OrgPlan: Encodable, Sendable {
    public var org: String
    public var schedule: String
    public var observed_at: Date?
    public var zoho_job: BackupJob?
    public var links_job_id: String?
    public var links_expiry: Date?
    /// What `run` would do, a sentence each.
    public var actions: [String]
    /// Why nothing is done about Zoho's schedule now: typed reasons.
    public var wait: [Wait]
    /// Why Zoho could not be observed, and what to do.
    public var error: String?
    public var hint: String?

    /// A wait reason as JSON: `{"reason": "quota_used_up", "until": …, "message": …}`.
    public struct Wait: Encodable, Sendable {
        /// A stable snake_case name (`one_off_pending`, `quota_used_up`, …).
        public var reason: String
        public var job_id: String?
        public var until: Date?
        public var message: String

        init(_ reason: WaitReason) {
            self.reason = reason.code
            job_id = reason.jobID
            until = reason.until
            message = reason.description
        }
    }
}
