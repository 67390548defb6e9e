import Foundation
import Reconcile
import Testing
import ZohoModel

/// The sentences `plan`, `status` and the journal show for each wait: rendering only, the
/// decisions are ReconcileTableTests' typed rows.
@Suite("Wait reasons, rendered")
struct WaitReasonTests {
    typealias F = ReconcileTableTests

    @Test(arguments: [
        (WaitReason.unconfirmedRequest, "unconfirmed_request",
         "a backup request may or may not have reached Zoho; observing again before any other request"),
        (.alreadyScheduled, "already_scheduled", "Zoho said a backup is already scheduled; observing again before any other request"),
        (.oneOffPending(jobID: "9", status: .inProgress, thenSchedule: false), "one_off_pending",
         "a one-off backup (job 9, INPROGRESS) is pending in Zoho; it is never cancelled, and is archived once it completes"),
        (.oneOffPending(jobID: "9", status: .scheduled, thenSchedule: true), "one_off_pending",
         "a one-off backup (job 9, SCHEDULED) is pending in Zoho; it is never cancelled, and the schedule is made once it completes"),
        (.occurrenceRunning(rrule: F.fridays, replaceWith: nil), "occurrence_running",
         "Zoho is running an occurrence of the recurring schedule \(F.fridays); it is cancelled once that completes"),
        (.occurrenceRunning(rrule: F.mondays, replaceWith: F.fridays), "occurrence_running",
         "Zoho is running an occurrence of \(F.mondays); it is rescheduled to \(F.fridays) once that completes"),
        (.quotaUsedUp(until: F.februaryInBerlin, zone: F.berlin), "quota_used_up",
         "this month's backups are used up (LIMIT_EXCEEDED): no request to Zoho before 2027-02-01 00:00 Europe/Berlin"),
        (.quotaUsedUp(until: F.date("2027-02-01T08:00:00Z"), zone: F.losAngeles), "quota_used_up",
         "this month's backups are used up (LIMIT_EXCEEDED): no request to Zoho before 2027-02-01 00:00 America/Los_Angeles"),
        (.quotaBlocksReplacement(current: F.mondays, desired: F.fridays, until: F.februaryInBerlin, zone: F.berlin), "quota_blocks_replacement",
         "Zoho's schedule \(F.mondays) differs from the policy's \(F.fridays), but this month's backups are used up: it is not cancelled before 2027-02-01 00:00 Europe/Berlin, when it can be replaced"),
    ])
    func sentence(_ reason: WaitReason, _ code: String, _ text: String) {
        #expect(reason.code == code)
        #expect(reason.description == text)
        #expect(Action.wait(reason).description == "wait: " + text)
    }
}
