import Foundation
import Reconcile
import Testing
import ZohoModel

/// Fixtures for the decision tables: a fixed clock, one org, Zoho's answers, the archive and the
/// daemon's state, each built by a small function so a row reads as the situation it is.
extension ReconcileTableTests {
    /// One row: a situation and the actions it must produce, in order.
    struct Case: Sendable, CustomTestStringConvertible {
        /// The rule this row proves; a failing row is named by it.
        var rule: String
        var desired: Desired
        var remote: RemoteObservation
        var archive: ArchiveObservation
        var state: OrgState
        var now: Date
        var expected: [Action]

        init(rule: String, desired: Desired, remote: RemoteObservation, archive: ArchiveObservation = .init(),
             state: OrgState = ReconcileTableTests.state(), now: Date = ReconcileTableTests.now, expected: [Action]) {
            self.rule = rule
            self.desired = desired
            self.remote = remote
            self.archive = archive
            self.state = state
            self.now = now
            self.expected = expected
        }

        var testDescription: String { rule }

        func decide() -> [Action] {
            Reconcile.decide(desired, remote: remote, archive: archive, state: state, now: now)
        }
    }

    // MARK: - Time

    /// 2027-01-15 08:00:00 UTC, a Friday.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// When this cycle looked at Zoho: just before `now`.
    static let observedAt = now - 10
    static func hours(_ n: Double) -> TimeInterval { n * 3600 }
    static func days(_ n: Double) -> TimeInterval { n * 86_400 }
    static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    /// The start of February 2027 in Berlin (`LIMIT_EXCEEDED` in January ends then).
    static let februaryInBerlin = date("2027-01-31T23:00:00Z")

    // MARK: - Rules and policy

    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
    static let mondays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO"
    static let weeklyFR = rule(fridays)
    static let nine = Duration.seconds(9 * 86_400)

    static func rule(_ text: String) -> RRule { try! RRule(parsing: text) }

    static func desired(_ schedule: BackupSchedule, maxAge: Duration? = nil, zone: TimeZone = berlin) -> Desired {
        Desired(org: "acme", schedule: schedule, maxAge: maxAge, timeZone: zone)
    }

    static let policyFR = desired(.rrule(weeklyFR))
    static let policyNone = desired(.none)
    static let policyUnmanaged = desired(.unmanaged)

    // MARK: - Zoho

    /// Zoho's recurring schedule.
    static let scheduleID = "4876876000001593003"
    /// A backup made without an rrule (`now`, Zoho's UI).
    static let oneOffID = "4876876000001594001"
    /// A job Zoho shows after a POST took effect.
    static let newID = "4876876000001599009"
    /// Completed backups, in the order they completed.
    static let jobA = "4876876000001600001"
    static let jobB = "4876876000001600002"
    static let jobC = "4876876000001600003"

    static let nextFriday = now + days(7)

    static func job(id: String, rrule: String?, status: BackupStatus, scheduledDate: Date? = nil) -> BackupJob {
        BackupJob(id: id, rrule: rrule, status: status, startDate: rrule == nil ? nil : now - days(60),
                  scheduledDate: scheduledDate, requester: nil)
    }

    /// A recurring schedule waiting for its next occurrence.
    static func recurring(_ rrule: String, id: String = scheduleID, status: BackupStatus = .scheduled) -> BackupJob {
        job(id: id, rrule: rrule, status: status, scheduledDate: nextFriday)
    }

    static func links(job: String, parts: Int, attachments: Int = 0) -> [DownloadLink] {
        linkTexts(job: job, parts: parts, attachments: attachments).map { DownloadLink($0)! }
    }

    static func linkTexts(job: String, parts: Int, attachments: Int = 0) -> [String] {
        let base = "https://download-accl.zoho.com/v2/crm/757345985/backup/\(job)/"
        return (1...max(parts, 1)).map { base + String(format: "Data_%03d.zip", $0) }
            + (0..<attachments).map { base + String(format: "Attachments_%03d.zip", $0 + 1) }
    }

    static func urls(job: String, parts: Int = 1, attachments: Int = 0, expiry: Date?) -> BackupURLs {
        let all = linkTexts(job: job, parts: parts, attachments: attachments)
        return BackupURLs(dataLinks: Array(all.prefix(parts)), attachmentLinks: Array(all.dropFirst(parts)), expiryDate: expiry)
    }

    static func remote(_ job: BackupJob?, urls: BackupURLs? = nil, at observed: Date = observedAt) -> RemoteObservation {
        RemoteObservation(job: job, urls: urls, observedAt: observed)
    }

    // MARK: - Archive and state

    static func state(_ change: (inout OrgState) -> Void = { _ in }) -> OrgState {
        var state = OrgState(watchingSince: now - days(400))
        change(&state)
        return state
    }

    /// `by`: the job Zoho showed as the links appeared (its rule and kind are the backup's).
    static func seen(_ id: String, parts: Int = 1, attachments: Int = 0, expiry: Date?, firstSeen: Date,
                     by maker: BackupJob? = nil) -> OrgState.SeenJob {
        OrgState.SeenJob(jobID: id, links: links(job: id, parts: parts, attachments: attachments), expiry: expiry, firstSeen: firstSeen,
                         rrule: maker?.rrule, kind: maker.map { BackupKind(rrule: $0.rrule) })
    }

    /// The download of a job whose links were first seen as `seen` says.
    static func download(_ seen: OrgState.SeenJob, resume: Bool = false, urgent: Bool = false) -> Action {
        .download(.init(jobID: seen.jobID, links: seen.links, expiry: seen.expiry, completedAt: seen.firstSeen,
                        resume: resume, urgent: urgent, rrule: seen.rrule, kind: seen.kind))
    }

    // MARK: - Waits (typed; their sentences are WaitReasonTests')

    static func oneOffWait(_ id: String, _ status: BackupStatus) -> Action {
        .wait(.oneOffPending(jobID: id, status: status, thenSchedule: true))
    }

    static let pendingPostWait = Action.wait(.unconfirmedRequest)
    static let alreadyScheduledWait = Action.wait(.alreadyScheduled)
}
