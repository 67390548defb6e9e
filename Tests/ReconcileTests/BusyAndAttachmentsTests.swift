import Foundation
import Reconcile
import Testing
import ZohoModel

/// Two rules that lived in the worker: which links are archived (`attachments`), and when an
/// org is busy and looked at again soon.
@Suite("Reconcile: attachments and busy")
struct BusyAndAttachmentsTests {
    typealias F = ReconcileTableTests

    @Test("attachments: false — the download names the data parts only; true — every part")
    func attachmentsChoice() {
        let seen = F.seen(F.jobA, parts: 2, attachments: 1, expiry: F.now + F.days(6), firstSeen: F.now - F.days(1))
        let state = F.state { $0.seenJobs[F.jobA] = seen }
        var without = F.policyFR
        without.attachments = false
        let dataOnly = Array(seen.links.prefix(2))
        #expect(Reconcile.decide(without, remote: F.remote(F.recurring(F.fridays)), archive: .init(), state: state, now: F.now)
                == [.download(.init(jobID: F.jobA, links: dataOnly, expiry: seen.expiry, completedAt: seen.firstSeen, resume: false, urgent: false)), .prune])
        #expect(Reconcile.decide(F.policyFR, remote: F.remote(F.recurring(F.fridays)), archive: .init(), state: state, now: F.now)
                == [F.download(seen), .prune])
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var rule: String
        var remote: RemoteObservation
        var state: OrgState = F.state()
        var actions: [Action] = []
        var busy: Bool
        var testDescription: String { rule }
    }

    static let rows: [Row] = [
        Row(rule: "nothing running, nothing pending: not busy", remote: F.remote(F.recurring(F.fridays)), busy: false),
        Row(rule: "a job runs in Zoho: busy", remote: F.remote(F.recurring(F.fridays, status: .inProgress)), busy: true),
        Row(rule: "a one-off is pending: busy", remote: F.remote(F.job(id: F.oneOffID, rrule: nil, status: .scheduled)), busy: true),
        Row(rule: "an unconfirmed request: busy", remote: F.remote(nil),
            state: F.state { $0.pendingPost = OrgState.PendingPost(rrule: nil, sentAt: F.now - 5, jobIDBefore: nil) }, busy: true),
        Row(rule: "refused as already scheduled: busy", remote: F.remote(nil), state: F.state { $0.alreadyScheduledAt = F.now - 5 }, busy: true),
        Row(rule: "links to download: busy", remote: F.remote(nil),
            actions: [F.download(F.seen(F.jobA, expiry: nil, firstSeen: F.now))], busy: true),
        Row(rule: "only waits and retention: not busy", remote: F.remote(nil), actions: [.prune, .wait(.unconfirmedRequest)], busy: false),
    ]

    @Test(arguments: rows)
    func busy(_ row: Row) {
        #expect(Reconcile.isBusy(remote: row.remote, state: row.state, actions: row.actions) == row.busy)
    }
}
