import Reconcile
import Supervisor
import Systemd
import Testing
import ZohoModel

/// Every alert carries its journal entry's `MESSAGE_ID` (the daily digest, never a journal
/// entry, alone has none), and every event is some alert's or has an ID of its own.
@Suite("MESSAGE_IDs of reports and alerts")
struct MessageIDTests {
    @Test("each report event, and the quota's report: an alert has its MESSAGE_ID; every alert event is reached")
    func everyAlertHasOne() {
        var reports = Report.Event.allCases.map { Report(.error, "[acme] x", event: $0) }
        reports.append(Report(.error, "[acme] limitExceeded", isError: true, counts: [.quotaError]))
        var alerts: Set<AlertEvent> = []
        for report in reports {
            if let alert = report.alert {
                alerts.insert(alert)
                #expect((report.messageID != nil) == (alert != .dailyDigest), "\(report.event.map { "\($0)" } ?? "quota")")
            } else {
                #expect(report.messageID != nil, "an event that is no alert is still a journal event: \(report.event.map { "\($0)" } ?? "nil")")
            }
        }
        #expect(alerts == Set(AlertEvent.allCases), "every alert event comes from a report")
        #expect(Report(.error, "[acme] other").messageID == nil)
    }

    @Test("the IDs are distinct")
    func distinct() {
        #expect(Set(MessageID.allCases.map(\.rawValue)).count == MessageID.allCases.count)
    }
}
