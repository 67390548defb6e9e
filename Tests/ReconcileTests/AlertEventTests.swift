import Foundation
import Reconcile
import Testing
import ZohoModel

/// Which alert each decision is: the reports of the decisions themselves (not hand-made
/// reports), so an event that stops being an alert, or becomes another, breaks a row.
@Suite("Alerts decided with the reports")
struct AlertEventTests {
    typealias F = ReconcileTableTests
    typealias O = OffsiteDecisionTests

    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var reports: [Report]
        var expected: [AlertEvent?]
        var testDescription: String { rule }
    }

    static func apply(_ outcome: Outcome) -> [Report] {
        Reconcile.apply(outcome, to: F.state { $0.pendingPost = ApplyTableTests.pending }, desired: F.policyFR, now: F.now).1
    }

    static func offsite(_ outcome: OffsiteOutcome, state: OffsiteState = OffsiteState()) -> [Report] {
        Reconcile.applyOffsite(outcome, to: state, desired: O.desired, now: O.now).1
    }

    static let rows: [Case] = [
        Case(rule: "Zoho's LIMIT_EXCEEDED: quota_exhausted",
             reports: apply(.postFailed(rule: F.fridays, ApplyTableTests.failure(.limitExceeded, "limitExceeded"))), expected: [.quotaExhausted]),
        Case(rule: "credentials refused: credentials_rejected",
             reports: apply(.postFailed(rule: F.fridays, ApplyTableTests.failure(.credentials, "invalidToken"))), expected: [.credentialsRejected]),
        Case(rule: "another refused request: no alert (a download's failure is backup_failed)",
             reports: apply(.postFailed(rule: nil, ApplyTableTests.failure(.other, "server"))), expected: [nil]),
        Case(rule: "a schedule change: no alert",
             reports: apply(.postAccepted(rule: F.fridays, jobID: "42")), expected: [nil]),
        Case(rule: "a download begins: backup_started",
             reports: [Reconcile.downloadStarted(org: "acme", jobID: "42", parts: 3, resume: false)], expected: [.backupStarted]),
        Case(rule: "the freshness alarm raised: backup_late",
             reports: [Reconcile.freshnessReport(org: "acme", raised: true, freshness: .stale(age: .seconds(900_000), limit: .seconds(777_600)))],
             expected: [.backupLate]),
        Case(rule: "the freshness alarm over: backup_on_time",
             reports: [Reconcile.freshnessReport(org: "acme", raised: false, freshness: .fresh(age: .seconds(60), limit: .seconds(777_600)))],
             expected: [.backupOnTime]),
        Case(rule: "the off-site check finds damage: offsite_check_failed",
             reports: offsite(.checked(failure: "pack 1f2e… is damaged", subset: "5%")), expected: [.offsiteCheckFailed]),
        Case(rule: "the off-site check passes: no alert",
             reports: offsite(.checked(failure: nil, subset: "5%")), expected: [nil]),
        Case(rule: "an off-site copy fails: offsite_failed",
             reports: offsite(.failed(jobID: "job1", kind: "network", message: "restic backup failed: dial tcp", hint: "network")), expected: [.offsiteFailed]),
        Case(rule: "the daemon starts and stops: daemon_started, daemon_stopping",
             reports: [Reconcile.daemonReport(started: true, orgs: 2), Reconcile.daemonReport(started: false, orgs: 2)],
             expected: [.daemonStarted, .daemonStopping]),
        Case(rule: "the daily digest: daily_digest",
             reports: [Reconcile.digestReport(host: "h", orgs: [("acme", ["no backup archived yet"], false)])], expected: [.dailyDigest]),
    ]

    @Test(arguments: rows)
    func alert(_ c: Case) {
        #expect(c.reports.map(\.alert) == c.expected)
    }

    @Test("every error or critical alert says what to do (its hint)")
    func errorsCarryHints() {
        for c in Self.rows {
            for report in c.reports where report.alert != nil && (report.level == .error || report.level == .critical) {
                #expect(report.hint?.isEmpty == false, "\(c.rule)")
            }
        }
    }
}
