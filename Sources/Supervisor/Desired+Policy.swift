import Policy
import Reconcile

extension Desired {
    /// The decision-relevant part of an org's policy.
    init(_ policy: OrgPolicy) {
        self.init(org: policy.name, schedule: policy.schedule, maxAge: policy.maxAge, timeZone: policy.timeZone,
                  attachments: policy.attachments, massChange: policy.massChange)
        offsiteRepository = policy.offsite?.displayRepository
    }
}
