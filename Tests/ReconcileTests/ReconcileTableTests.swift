import Foundation
import Reconcile
import Testing
import ZohoModel

/// `Reconcile.decide` as tables: each row is a situation, the whole action list it must give
/// (so the order is proven too), and the rule it proves (the row's name when it fails).
@Suite("Reconcile.decide")
struct ReconcileTableTests {
    // MARK: - Zoho's schedule for an RRULE policy

    static let scheduleRows: [Case] = [
        Case(rule: "schedule when Zoho has no job (204)",
             desired: policyFR, remote: remote(nil),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "schedule when Zoho's recurring schedule is STOPPED (cancelled), even with the policy's rule",
             desired: policyFR, remote: remote(job(id: scheduleID, rrule: fridays, status: .stopped, scheduledDate: nextFriday)),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "schedule when Zoho's last one-off backup FAILED",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .failed)),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "schedule when Zoho's last one-off backup COMPLETED",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .completed)),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "schedule when Zoho's rule has finished (COMPLETED, rrule, no scheduled_date: COUNT used up)",
             desired: policyFR, remote: remote(job(id: scheduleID, rrule: "RRULE:FREQ=DAILY;COUNT=3", status: .completed)),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "schedule when a recurring rule FAILED with no next occurrence",
             desired: policyFR, remote: remote(job(id: scheduleID, rrule: mondays, status: .failed)),
             expected: [.schedule(weeklyFR)]),
        Case(rule: "nothing when Zoho's rule equals the policy's",
             desired: policyFR, remote: remote(recurring(fridays)),
             expected: []),
        Case(rule: "nothing when Zoho's rule has the same normal form (parts in another order)",
             desired: policyFR, remote: remote(recurring("RRULE:BYDAY=FR;INTERVAL=1;FREQ=WEEKLY")),
             expected: []),
        Case(rule: "nothing when Zoho answers the policy's rule without the RRULE: prefix",
             desired: policyFR, remote: remote(recurring("FREQ=WEEKLY;INTERVAL=1;BYDAY=FR")),
             expected: []),
        Case(rule: "nothing when Zoho's monthly rule has the same normal form",
             desired: desired(.rrule(rule("RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1TH"))),
             remote: remote(recurring("RRULE:FREQ=MONTHLY;BYDAY=1TH;INTERVAL=1")),
             expected: []),
        Case(rule: "nothing when the policy's rule COMPLETED an occurrence and has a next one",
             desired: policyFR, remote: remote(job(id: scheduleID, rrule: fridays, status: .completed, scheduledDate: nextFriday)),
             expected: []),
        Case(rule: "cancel-then-schedule when Zoho's rule differs (BYDAY)",
             desired: policyFR, remote: remote(recurring(mondays)),
             expected: [.cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR)]),
        Case(rule: "cancel-then-schedule when Zoho's rule differs only in INTERVAL",
             desired: policyFR, remote: remote(recurring("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR")),
             expected: [.cancel(jobID: scheduleID, rrule: "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR"), .schedule(weeklyFR)]),
        Case(rule: "cancel-then-schedule when a differing rule COMPLETED an occurrence and has a next one",
             desired: policyFR, remote: remote(job(id: scheduleID, rrule: mondays, status: .completed, scheduledDate: nextFriday)),
             expected: [.cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR)]),
        Case(rule: "a Zoho rule outside the subset (FREQ=DAILY) counts as different",
             desired: policyFR, remote: remote(recurring("RRULE:FREQ=DAILY;INTERVAL=1")),
             expected: [.cancel(jobID: scheduleID, rrule: "RRULE:FREQ=DAILY;INTERVAL=1"), .schedule(weeklyFR)]),
        Case(rule: "a Zoho rule without INTERVAL is outside the subset (INTERVAL is required) and counts as different",
             desired: policyFR, remote: remote(recurring("RRULE:FREQ=WEEKLY;BYDAY=FR")),
             expected: [.cancel(jobID: scheduleID, rrule: "RRULE:FREQ=WEEKLY;BYDAY=FR"), .schedule(weeklyFR)]),
        Case(rule: "a Zoho rule with an extra part (COUNT) is outside the subset and counts as different",
             desired: policyFR, remote: remote(recurring(fridays + ";COUNT=5")),
             expected: [.cancel(jobID: scheduleID, rrule: fridays + ";COUNT=5"), .schedule(weeklyFR)]),
        Case(rule: "never cancel or reschedule an INPROGRESS recurring job with a differing rule: wait",
             desired: policyFR, remote: remote(recurring(mondays, status: .inProgress)),
             expected: [.wait(.occurrenceRunning(rrule: mondays, replaceWith: fridays))]),
        Case(rule: "an INPROGRESS occurrence of the policy's own rule: nothing",
             desired: policyFR, remote: remote(recurring(fridays, status: .inProgress)),
             expected: []),
        Case(rule: "never cancel a SCHEDULED one-off backup (no rrule): wait, schedule after it",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .scheduled)),
             expected: [oneOffWait(oneOffID, .scheduled)]),
        Case(rule: "never cancel an INPROGRESS one-off backup (no rrule): wait, schedule after it",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .inProgress)),
             expected: [oneOffWait(oneOffID, .inProgress)]),
    ]

    @Test(arguments: scheduleRows)
    func schedule(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - `schedule: none` and `schedule: unmanaged`

    static let noneAndUnmanagedRows: [Case] = [
        Case(rule: "none: cancel Zoho's recurring schedule",
             desired: policyNone, remote: remote(recurring(fridays)),
             expected: [.cancel(jobID: scheduleID, rrule: fridays)]),
        Case(rule: "none: cancel a recurring schedule outside the subset too",
             desired: policyNone, remote: remote(recurring("RRULE:FREQ=DAILY;INTERVAL=1")),
             expected: [.cancel(jobID: scheduleID, rrule: "RRULE:FREQ=DAILY;INTERVAL=1")]),
        Case(rule: "none: cancel a recurring schedule that COMPLETED an occurrence and has a next one",
             desired: policyNone, remote: remote(job(id: scheduleID, rrule: mondays, status: .completed, scheduledDate: nextFriday)),
             expected: [.cancel(jobID: scheduleID, rrule: mondays)]),
        Case(rule: "none: nothing when Zoho has no job (204)",
             desired: policyNone, remote: remote(nil),
             expected: []),
        Case(rule: "none: nothing for a STOPPED (already cancelled) schedule",
             desired: policyNone, remote: remote(job(id: scheduleID, rrule: fridays, status: .stopped, scheduledDate: nextFriday)),
             expected: []),
        Case(rule: "none: nothing for a finished rule (COMPLETED, no scheduled_date)",
             desired: policyNone, remote: remote(job(id: scheduleID, rrule: "RRULE:FREQ=DAILY;COUNT=3", status: .completed)),
             expected: []),
        Case(rule: "none: never cancel an INPROGRESS recurring job: wait, cancel once it completes",
             desired: policyNone, remote: remote(recurring(fridays, status: .inProgress)),
             expected: [.wait(.occurrenceRunning(rrule: fridays, replaceWith: nil))]),
        Case(rule: "none: a pending one-off backup is waited for, never cancelled",
             desired: policyNone, remote: remote(job(id: oneOffID, rrule: nil, status: .inProgress)),
             expected: [.wait(.oneOffPending(jobID: oneOffID, status: .inProgress, thenSchedule: false))]),
        Case(rule: "none: after BACKUP_ALREADY_SCHEDULED, no cancel before a newer observation",
             desired: policyNone, remote: remote(recurring(fridays), at: now - 120),
             state: state { $0.alreadyScheduledAt = now - 60 },
             expected: [alreadyScheduledWait]),
        Case(rule: "none: with an unconfirmed POST, no cancel before a newer observation",
             desired: policyNone, remote: remote(recurring(fridays), at: now - 120),
             state: state { $0.pendingPost = .init(rrule: nil, sentAt: now - 60, jobIDBefore: nil) },
             expected: [pendingPostWait]),
        Case(rule: "unmanaged: never touch a differing recurring schedule",
             desired: policyUnmanaged, remote: remote(recurring(mondays)),
             expected: []),
        Case(rule: "unmanaged: never touch a schedule outside the subset",
             desired: policyUnmanaged, remote: remote(recurring("RRULE:FREQ=DAILY;INTERVAL=1")),
             expected: []),
        Case(rule: "unmanaged: never schedule when Zoho has no job (204)",
             desired: policyUnmanaged, remote: remote(nil),
             expected: []),
        Case(rule: "unmanaged: never touch a pending one-off backup",
             desired: policyUnmanaged, remote: remote(job(id: oneOffID, rrule: nil, status: .inProgress)),
             expected: []),
        Case(rule: "unmanaged: never touch, even when the quota block has not ended",
             desired: policyUnmanaged, remote: remote(recurring(mondays)),
             state: state { $0.quotaBlockedUntil = februaryInBerlin },
             expected: []),
    ]

    @Test(arguments: noneAndUnmanagedRows)
    func noneAndUnmanaged(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    /// A one-off backup (from `now` or Zoho's UI) is never cancelled under `schedule: none`.
    @Test(arguments: [BackupStatus.scheduled, .inProgress])
    func noneNeverCancelsOneOff(_ status: BackupStatus) {
        let actions = Reconcile.decide(Self.policyNone, remote: Self.remote(Self.job(id: Self.oneOffID, rrule: nil, status: status)),
                                       archive: .init(), state: Self.state(), now: Self.now)
        #expect(!actions.contains { $0.isZohoChange })
    }

    // MARK: - After BACKUP_ALREADY_SCHEDULED

    static let refusedAt = now - 60

    static let alreadyScheduledRows: [Case] = [
        Case(rule: "already scheduled, observation older than the refusal: wait, no schedule",
             desired: policyFR, remote: remote(nil, at: refusedAt - 60),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [alreadyScheduledWait]),
        Case(rule: "already scheduled, observation at the refusal's instant is not newer: wait, no schedule",
             desired: policyFR, remote: remote(nil, at: refusedAt),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [alreadyScheduledWait]),
        Case(rule: "already scheduled, observation not newer: no cancel-then-schedule of a differing rule",
             desired: policyFR, remote: remote(recurring(mondays), at: refusedAt - 60),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [alreadyScheduledWait]),
        Case(rule: "already scheduled, newer observation: clear, then schedule",
             desired: policyFR, remote: remote(nil),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [.clearAlreadyScheduled, .schedule(weeklyFR)]),
        Case(rule: "already scheduled, newer observation shows a differing rule: clear, then cancel-then-schedule",
             desired: policyFR, remote: remote(recurring(mondays)),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [.clearAlreadyScheduled, .cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR)]),
        Case(rule: "already scheduled, newer observation shows the policy's rule: clear only",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [.clearAlreadyScheduled]),
        Case(rule: "already scheduled, newer observation shows a one-off backup: clear, then wait for it",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .scheduled)),
             state: state { $0.alreadyScheduledAt = refusedAt },
             expected: [.clearAlreadyScheduled, oneOffWait(oneOffID, .scheduled)]),
    ]

    @Test(arguments: alreadyScheduledRows)
    func alreadyScheduled(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - An unconfirmed POST

    static let sentAt = now - 60

    static func pending(rrule: String? = fridays, before: String?) -> OrgState {
        state { $0.pendingPost = .init(rrule: rrule, sentAt: sentAt, jobIDBefore: before) }
    }

    static let pendingPostRows: [Case] = [
        Case(rule: "unconfirmed POST, observation older than sentAt: no POST, wait",
             desired: policyFR, remote: remote(nil, at: sentAt - 60),
             state: pending(before: nil),
             expected: [pendingPostWait]),
        Case(rule: "unconfirmed POST, observation at sentAt is not newer: no POST, wait",
             desired: policyFR, remote: remote(nil, at: sentAt),
             state: pending(before: nil),
             expected: [pendingPostWait]),
        Case(rule: "unconfirmed POST, observation not newer: no cancel-then-schedule either",
             desired: policyFR, remote: remote(recurring(mondays), at: sentAt - 60),
             state: pending(before: scheduleID),
             expected: [pendingPostWait]),
        Case(rule: "unconfirmed POST, newer observation shows a new job id with the desired rule: took effect, no second schedule",
             desired: policyFR, remote: remote(recurring(fridays, id: newID)),
             state: pending(before: oneOffID),
             expected: [.resolvePending(tookEffect: true)]),
        Case(rule: "unconfirmed POST, newer observation shows a job where there was none: took effect",
             desired: policyFR, remote: remote(recurring(fridays, id: newID)),
             state: pending(before: nil),
             expected: [.resolvePending(tookEffect: true)]),
        Case(rule: "unconfirmed POST, newer observation shows the same job id: did not take effect, schedule again",
             desired: policyFR, remote: remote(job(id: oneOffID, rrule: nil, status: .completed)),
             state: pending(before: oneOffID),
             expected: [.resolvePending(tookEffect: false), .schedule(weeklyFR)]),
        Case(rule: "unconfirmed POST, newer observation shows nothing (204): did not take effect, schedule again",
             desired: policyFR, remote: remote(nil),
             state: pending(before: nil),
             expected: [.resolvePending(tookEffect: false), .schedule(weeklyFR)]),
        Case(rule: "unconfirmed POST, same job id with a differing rule: did not take effect, cancel-then-schedule",
             desired: policyFR, remote: remote(recurring(mondays)),
             state: pending(before: scheduleID),
             expected: [.resolvePending(tookEffect: false), .cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR)]),
        Case(rule: "unconfirmed immediate POST took effect: confirmed as the org's immediate request; the new one-off backup is waited for",
             desired: policyFR, remote: remote(job(id: newID, rrule: nil, status: .scheduled)),
             state: pending(rrule: nil, before: oneOffID),
             expected: [.confirmImmediate(jobID: newID), oneOffWait(newID, .scheduled)]),
        Case(rule: "unconfirmed immediate POST did not take effect: resolved, nothing confirmed",
             desired: policyNone, remote: remote(job(id: oneOffID, rrule: nil, status: .completed)),
             state: pending(rrule: nil, before: oneOffID),
             expected: [.resolvePending(tookEffect: false)]),
        Case(rule: "an immediate request not settled (no newer backup archived, its job not failed, under a week): kept, nothing to do",
             desired: policyNone, remote: remote(job(id: newID, rrule: nil, status: .completed)),
             archive: .init(newestBackup: sentAt - days(7)),
             state: requested(),
             expected: []),
        Case(rule: "an immediate request is not settled by the backup whose links Zoho listed before it, even first seen after it",
             desired: policyNone, remote: remote(job(id: newID, rrule: nil, status: .completed)),
             archive: .init(newestBackup: sentAt + 30, newestJobID: jobA),
             state: requested(),
             expected: []),
        Case(rule: "an immediate request is settled once a newer backup than it is archived: forgotten",
             desired: policyNone, remote: remote(job(id: newID, rrule: nil, status: .completed)),
             archive: .init(newestBackup: sentAt + 30, newestJobID: jobB),
             state: requested(),
             expected: [.forgetImmediate]),
        Case(rule: "an immediate request is settled when Zoho shows its job failed: forgotten",
             desired: policyNone, remote: remote(job(id: newID, rrule: nil, status: .failed)),
             state: requested(),
             expected: [.forgetImmediate]),
        Case(rule: "an immediate request is settled after 8 days (its links have expired by then): forgotten",
             desired: policyNone, remote: remote(nil),
             state: requested(), now: sentAt + days(8) + 1,
             expected: [.forgetImmediate]),
        Case(rule: "a settled request is forgotten before a newer unconfirmed one is confirmed (the newer one is kept)",
             desired: policyNone, remote: remote(job(id: jobC, rrule: nil, status: .scheduled)),
             archive: .init(newestBackup: sentAt - 30, newestJobID: jobB),
             state: state {
                 $0.immediateRequest = .init(sentAt: sentAt - 3600, jobID: newID, linksJobBefore: jobA)
                 $0.pendingPost = .init(rrule: nil, sentAt: sentAt, jobIDBefore: newID)
             },
             expected: [.forgetImmediate, .confirmImmediate(jobID: jobC), .wait(.oneOffPending(jobID: jobC, status: .scheduled, thenSchedule: false))]),
    ]

    /// An immediate backup that reached Zoho as `newID`, requested at `sentAt`.
    static func requested() -> OrgState {
        state { $0.immediateRequest = .init(sentAt: sentAt, jobID: newID, linksJobBefore: jobA) }
    }

    @Test(arguments: pendingPostRows)
    func pendingPost(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - After LIMIT_EXCEEDED

    static let quotaRows: [Case] = [
        Case(rule: "quota blocked: no schedule, a wait naming the date",
             desired: policyFR, remote: remote(nil),
             state: state { $0.quotaBlockedUntil = februaryInBerlin },
             expected: [.wait(.quotaUsedUp(until: februaryInBerlin, zone: berlin))]),
        Case(rule: "quota blocked: the wait names the date in the org's zone",
             desired: desired(.rrule(weeklyFR), zone: losAngeles), remote: remote(nil),
             state: state { $0.quotaBlockedUntil = date("2027-02-01T08:00:00Z") },
             expected: [.wait(.quotaUsedUp(until: date("2027-02-01T08:00:00Z"), zone: losAngeles))]),
        Case(rule: "quota blocked: no cancel-then-schedule of a differing rule, a wait naming the date",
             desired: policyFR, remote: remote(recurring(mondays)),
             state: state { $0.quotaBlockedUntil = februaryInBerlin },
             expected: [.wait(.quotaBlocksReplacement(current: mondays, desired: fridays, until: februaryInBerlin, zone: berlin))]),
        Case(rule: "quota blocked: the policy's rule already in place, nothing",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.quotaBlockedUntil = februaryInBerlin },
             expected: []),
        Case(rule: "quota blocked: none still cancels a recurring schedule",
             desired: policyNone, remote: remote(recurring(fridays)),
             state: state { $0.quotaBlockedUntil = februaryInBerlin },
             expected: [.cancel(jobID: scheduleID, rrule: fridays)]),
        Case(rule: "quota block ends when now reaches quotaBlockedUntil: clear, then schedule",
             desired: policyFR, remote: remote(nil, at: februaryInBerlin - 10),
             state: state { $0.quotaBlockedUntil = februaryInBerlin }, now: februaryInBerlin,
             expected: [.clearQuotaBlock, .schedule(weeklyFR)]),
        Case(rule: "quota block over (now after quotaBlockedUntil): clear, then cancel-then-schedule",
             desired: policyFR, remote: remote(recurring(mondays), at: februaryInBerlin + hours(1)),
             state: state { $0.quotaBlockedUntil = februaryInBerlin }, now: februaryInBerlin + hours(1),
             expected: [.clearQuotaBlock, .cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR)]),
        Case(rule: "quota block over but an unconfirmed POST is not yet observed: clear, wait, no POST",
             desired: policyFR, remote: remote(nil, at: sentAt - 60),
             state: state { $0.quotaBlockedUntil = now - hours(1); $0.pendingPost = .init(rrule: fridays, sentAt: sentAt, jobIDBefore: nil) },
             expected: [pendingPostWait, .clearQuotaBlock]),
    ]

    @Test(arguments: quotaRows)
    func quota(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - Downloads

    static let expiresInSevenDays = now + days(7)
    /// A job first seen in this cycle.
    /// Job A's links, newly listed while Zoho shows `maker` (the weekly Friday schedule by default).
    /// A one-off backup (`now`, Zoho's UI) that made job A.
    static let oneOffA = job(id: jobA, rrule: nil, status: .completed)
    static func newA(by maker: BackupJob? = recurring(fridays)) -> OrgState.SeenJob {
        seen(jobA, parts: 2, expiry: expiresInSevenDays, firstSeen: observedAt, by: maker)
    }
    /// A job seen two days ago (before a restart).
    static let oldA = seen(jobA, parts: 2, expiry: now + days(5), firstSeen: now - days(2))

    static let downloadRows: [Case] = [
        Case(rule: "download a newly listed job for an rrule policy: note links (firstSeen = observedAt), download, prune",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             expected: [.noteLinks(newA()), download(newA()), .prune]),
        Case(rule: "download a newly listed job for schedule none",
             desired: policyNone, remote: remote(job(id: jobA, rrule: nil, status: .completed), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             expected: [.noteLinks(newA(by: oneOffA)), download(newA(by: oneOffA)), .prune]),
        Case(rule: "download a newly listed job for schedule unmanaged",
             desired: policyUnmanaged, remote: remote(recurring(mondays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             expected: [.noteLinks(newA(by: recurring(mondays))), download(newA(by: recurring(mondays))), .prune]),
        Case(rule: "download after the schedule change, in the same cycle",
             desired: policyFR, remote: remote(recurring(mondays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             expected: [.cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR),
                        .noteLinks(newA(by: recurring(mondays))), download(newA(by: recurring(mondays))), .prune]),
        Case(rule: "the backup's rule and kind are the job's Zoho shows as its links appear: a one-off made while the policy wants a schedule is a one-off",
             desired: policyFR, remote: remote(oneOffA, urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             expected: [.schedule(weeklyFR), .noteLinks(newA(by: oneOffA)), download(newA(by: oneOffA)), .prune]),
        Case(rule: "attachment links are noted and downloaded after the data links",
             desired: policyUnmanaged, remote: remote(nil, urls: urls(job: jobA, parts: 2, attachments: 1, expiry: expiresInSevenDays)),
             expected: [.noteLinks(seen(jobA, parts: 2, attachments: 1, expiry: expiresInSevenDays, firstSeen: observedAt)),
                        download(seen(jobA, parts: 2, attachments: 1, expiry: expiresInSevenDays, firstSeen: observedAt)), .prune]),
        Case(rule: "no download of an archived job",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             archive: .init(knownJobs: [jobA]),
             expected: []),
        Case(rule: "no download of a pruned job whose links state still holds",
             desired: policyNone, remote: remote(nil, urls: urls(job: jobA, parts: 2, expiry: now + days(5))),
             archive: .init(knownJobs: [jobA]), state: state { $0.seenJobs[jobA] = oldA },
             expected: []),
        Case(rule: "links already seen: no second note, completedAt is firstSeen from state (restart keeps it)",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: now + days(5))),
             state: state { $0.seenJobs[jobA] = oldA },
             expected: [download(oldA), .prune]),
        Case(rule: "resume a download that has a partial",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: now + days(5))),
             archive: .init(partialJobs: [jobA]), state: state { $0.seenJobs[jobA] = oldA },
             expected: [download(oldA, resume: true), .prune]),
        Case(rule: "a seen job no longer in /urls (replaced by a newer job) is still downloaded, oldest first",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobB, expiry: expiresInSevenDays)),
             state: state { $0.seenJobs[jobA] = oldA },
             expected: [.noteLinks(seen(jobB, expiry: expiresInSevenDays, firstSeen: observedAt, by: recurring(fridays))),
                        download(oldA), download(seen(jobB, expiry: expiresInSevenDays, firstSeen: observedAt, by: recurring(fridays))), .prune]),
        Case(rule: "oldest firstSeen first among downloads that are not urgent",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state {
                 $0.seenJobs[jobA] = seen(jobA, expiry: now + days(6), firstSeen: now - days(1))
                 $0.seenJobs[jobB] = seen(jobB, expiry: now + days(5), firstSeen: now - days(2))
             },
             expected: [download(seen(jobB, expiry: now + days(5), firstSeen: now - days(2))),
                        download(seen(jobA, expiry: now + days(6), firstSeen: now - days(1))), .prune]),
        Case(rule: "links expiring within 24 h go first (urgent), even when seen later",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state {
                 $0.seenJobs[jobA] = seen(jobA, expiry: now + days(4), firstSeen: now - days(3))
                 $0.seenJobs[jobB] = seen(jobB, expiry: now + hours(20), firstSeen: now - days(1))
             },
             expected: [download(seen(jobB, expiry: now + hours(20), firstSeen: now - days(1)), urgent: true),
                        download(seen(jobA, expiry: now + days(4), firstSeen: now - days(3))), .prune]),
        Case(rule: "urgent downloads among themselves: oldest firstSeen first",
             desired: policyUnmanaged, remote: remote(nil),
             state: state {
                 $0.seenJobs[jobA] = seen(jobA, expiry: now + hours(2), firstSeen: now - days(1))
                 $0.seenJobs[jobB] = seen(jobB, expiry: now + hours(1), firstSeen: now - days(2))
                 $0.seenJobs[jobC] = seen(jobC, expiry: now + days(6), firstSeen: now - days(3))
             },
             expected: [download(seen(jobB, expiry: now + hours(1), firstSeen: now - days(2)), urgent: true),
                        download(seen(jobA, expiry: now + hours(2), firstSeen: now - days(1)), urgent: true),
                        download(seen(jobC, expiry: now + days(6), firstSeen: now - days(3))), .prune]),
        Case(rule: "newly listed links expiring within 24 h: noted, downloaded urgently, resumed from a partial",
             desired: policyNone, remote: remote(nil, urls: urls(job: jobA, expiry: now + hours(23))),
             archive: .init(partialJobs: [jobA]),
             expected: [.noteLinks(seen(jobA, expiry: now + hours(23), firstSeen: observedAt)),
                        download(seen(jobA, expiry: now + hours(23), firstSeen: observedAt), resume: true, urgent: true), .prune]),
        Case(rule: "links without an expiry date are not urgent",
             desired: policyNone, remote: remote(nil, urls: urls(job: jobA, expiry: nil)),
             expected: [.noteLinks(seen(jobA, expiry: nil, firstSeen: observedAt)),
                        download(seen(jobA, expiry: nil, firstSeen: observedAt)), .prune]),
        Case(rule: "links that do not name one job are not noted, and are an error for the org (never a silent success)",
             desired: policyNone,
             remote: remote(nil, urls: BackupURLs(dataLinks: linkTexts(job: jobA, parts: 1) + linkTexts(job: jobB, parts: 1),
                                                  attachmentLinks: [], expiryDate: expiresInSevenDays)),
             expected: [.reportUnreadableLinks(.severalJobs([jobA, jobB].sorted()))]),
    ]

    @Test(arguments: downloadRows)
    func downloads(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - Links that expired first

    static let expiredA = seen(jobA, expiry: now - hours(1), firstSeen: now - days(7))

    static let lostRows: [Case] = [
        Case(rule: "links expired before download: report the loss",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.seenJobs[jobA] = expiredA },
             expected: [.reportLost(jobID: jobA, expiry: now - hours(1))]),
        Case(rule: "links expiring exactly now count as expired",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.seenJobs[jobA] = seen(jobA, expiry: now, firstSeen: now - days(7)) },
             expected: [.reportLost(jobID: jobA, expiry: now)]),
        Case(rule: "lost means links gone and nothing complete on disk: every part verified in .partial/ is committed from there",
             desired: policyFR, remote: remote(recurring(fridays)),
             archive: .init(partialJobs: [jobA], completeJobs: [jobA]), state: state { $0.seenJobs[jobA] = expiredA },
             expected: [.commitComplete(jobID: jobA)]),
        Case(rule: "links gone with an incomplete download in .partial/: lost (what it holds goes to the quarantine)",
             desired: policyFR, remote: remote(recurring(fridays)),
             archive: .init(partialJobs: [jobA]), state: state { $0.seenJobs[jobA] = expiredA },
             expected: [.reportLost(jobID: jobA, expiry: now - hours(1))]),
        Case(rule: "links not of the documented shape: an error for the org, naming them; nothing noted",
             desired: policyNone, remote: remote(nil, urls: BackupURLs(dataLinks: ["https://download.zoho.com/v2/crm/1/backup/9/Contacts.csv"],
                                                                       attachmentLinks: [], expiryDate: now + days(6))),
             expected: [.reportUnreadableLinks(.notUnderstood(["https://download.zoho.com/v2/crm/1/backup/9/Contacts.csv"]))]),
        Case(rule: "a loss is reported once: not when lostJobs holds it",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.seenJobs[jobA] = expiredA; $0.lostJobs = [jobA] },
             expected: []),
        Case(rule: "no loss for an archived job whose links expired",
             desired: policyFR, remote: remote(recurring(fridays)),
             archive: .init(knownJobs: [jobA]), state: state { $0.seenJobs[jobA] = expiredA },
             expected: []),
        Case(rule: "links first seen already expired: note, then report the loss",
             desired: policyNone, remote: remote(nil, urls: urls(job: jobA, expiry: now - hours(1))),
             expected: [.noteLinks(seen(jobA, expiry: now - hours(1), firstSeen: observedAt)),
                        .reportLost(jobID: jobA, expiry: now - hours(1))]),
        Case(rule: "a lost job still listed in /urls is not noted again",
             desired: policyNone, remote: remote(nil, urls: urls(job: jobA, expiry: now - hours(1))),
             state: state { $0.lostJobs = [jobA] },
             expected: []),
        Case(rule: "a loss does not stop another job's download",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state {
                 $0.seenJobs[jobA] = expiredA
                 $0.seenJobs[jobB] = seen(jobB, expiry: now + days(6), firstSeen: now - days(1))
             },
             expected: [.reportLost(jobID: jobA, expiry: now - hours(1)),
                        download(seen(jobB, expiry: now + days(6), firstSeen: now - days(1))), .prune]),
    ]

    @Test(arguments: lostRows)
    func lost(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - Freshness

    static let watched = desired(.rrule(weeklyFR), maxAge: nine)

    static let freshnessRows: [Case] = [
        Case(rule: "stale newest backup: raise the alarm",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(10)),
             expected: [.raiseFreshnessAlarm(.stale(age: .seconds(10 * 86_400), limit: nine))]),
        Case(rule: "stale, alarm already raised: nothing",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(10)), state: state { $0.freshnessAlarm = true },
             expected: []),
        Case(rule: "fresh again after an alarm: clear it",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(1)), state: state { $0.freshnessAlarm = true },
             expected: [.clearFreshnessAlarm]),
        Case(rule: "fresh, no alarm: nothing",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(1)),
             expected: []),
        Case(rule: "a new org within maxAge of watchingSince: no alarm",
             desired: watched, remote: remote(recurring(fridays)),
             state: state { $0.watchingSince = now - days(2) },
             expected: []),
        Case(rule: "no backup at all after maxAge of watching: raise the alarm",
             desired: watched, remote: remote(recurring(fridays)),
             state: state { $0.watchingSince = now - days(30) },
             expected: [.raiseFreshnessAlarm(.missing(watched: .seconds(30 * 86_400), limit: nine))]),
        Case(rule: "no max_age: no alarm however old",
             desired: policyFR, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(400)),
             expected: []),
        Case(rule: "no freshness actions in a cycle that downloads",
             desired: watched, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             archive: .init(newestBackup: now - days(10)),
             expected: [.noteLinks(newA()), download(newA()), .prune]),
        Case(rule: "no freshness actions in a cycle that downloads, not even clearing",
             desired: watched, remote: remote(recurring(fridays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             archive: .init(newestBackup: now - days(1)), state: state { $0.freshnessAlarm = true },
             expected: [.noteLinks(newA()), download(newA()), .prune]),
        Case(rule: "a cycle with only a lost report still checks freshness, after it",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(10)), state: state { $0.seenJobs[jobA] = expiredA },
             expected: [.reportLost(jobID: jobA, expiry: now - hours(1)),
                        .raiseFreshnessAlarm(.stale(age: .seconds(10 * 86_400), limit: nine))]),
        Case(rule: "schedule first, freshness last",
             desired: watched, remote: remote(nil),
             archive: .init(newestBackup: now - days(10)),
             expected: [.schedule(weeklyFR), .raiseFreshnessAlarm(.stale(age: .seconds(10 * 86_400), limit: nine))]),
    ]

    @Test(arguments: freshnessRows)
    func freshness(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - Retention

    static let pruneRows: [Case] = [
        Case(rule: "prune when pruneDue, with nothing else to do",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.pruneDue = true },
             expected: [.prune]),
        Case(rule: "no prune when nothing was downloaded and none is due",
             desired: policyFR, remote: remote(recurring(fridays), urls: urls(job: jobA, expiry: expiresInSevenDays)),
             archive: .init(knownJobs: [jobA]),
             expected: []),
        Case(rule: "pruneDue and downloads: one prune, after every download",
             desired: policyUnmanaged, remote: remote(nil, urls: urls(job: jobB, expiry: expiresInSevenDays)),
             state: state { $0.pruneDue = true; $0.seenJobs[jobA] = oldA },
             expected: [.noteLinks(seen(jobB, expiry: expiresInSevenDays, firstSeen: observedAt)),
                        download(oldA), download(seen(jobB, expiry: expiresInSevenDays, firstSeen: observedAt)), .prune]),
        Case(rule: "pruneDue: prune before the freshness alarm",
             desired: watched, remote: remote(recurring(fridays)),
             archive: .init(newestBackup: now - days(10)), state: state { $0.pruneDue = true },
             expected: [.prune, .raiseFreshnessAlarm(.stale(age: .seconds(10 * 86_400), limit: nine))]),
        Case(rule: "a lost report alone is no reason to prune",
             desired: policyFR, remote: remote(recurring(fridays)),
             state: state { $0.seenJobs[jobA] = expiredA },
             expected: [.reportLost(jobID: jobA, expiry: now - hours(1))]),
    ]

    @Test(arguments: pruneRows)
    func prune(_ c: Case) {
        #expect(c.decide() == c.expected)
    }

    // MARK: - Everything at once

    static let orderRows: [Case] = [
        Case(rule: "bookkeeping first, then Zoho's schedule, downloads, retention",
             desired: policyFR, remote: remote(recurring(mondays), urls: urls(job: jobA, parts: 2, expiry: expiresInSevenDays)),
             state: state {
                 $0.pendingPost = .init(rrule: fridays, sentAt: sentAt, jobIDBefore: scheduleID)
                 $0.alreadyScheduledAt = refusedAt
                 $0.quotaBlockedUntil = now - hours(1)
             },
             expected: [.resolvePending(tookEffect: false), .clearAlreadyScheduled, .clearQuotaBlock,
                        .cancel(jobID: scheduleID, rrule: mondays), .schedule(weeklyFR),
                        .noteLinks(newA(by: recurring(mondays))), download(newA(by: recurring(mondays))), .prune]),
    ]

    @Test(arguments: orderRows)
    func order(_ c: Case) {
        #expect(c.decide() == c.expected)
    }
}
