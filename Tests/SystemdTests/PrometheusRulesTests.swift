import Foundation
import Systemd
import Testing
import TestSupport
import ZohoModel

/// The packaged Prometheus alert rules: every metric they and their promtool tests name is one
/// the daemon writes (a renamed metric breaks this), and `promtool test rules` (Debian's
/// prometheus package; `make deps` extracts promtool into .build) passes.
@Suite("Prometheus alert rules")
struct PrometheusRulesTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { url.deleteLastPathComponent() }
        return url.path
    }()
    static let rules = root + "/packaging/prometheus/zoho-crm-backup.rules.yml"
    static let tests = root + "/Tests/prometheus/zoho-crm-backup.rules.test.yml"

    /// Every metric the daemon writes, as it renders them: each of them set once.
    static func renderedNames() -> Set<String> {
        let metrics = BackupMetrics()
        let org = metrics.org("acme")
        org.recordArchived(bytes: 1, parts: 1, at: 1)
        org.setFreshness(newestAgeSeconds: 1, maxAgeSeconds: 2, alarm: false)
        org.recordFailure(kind: .download)
        org.setLinksExpiry(1)
        org.recordQuotaError()
        org.setQuarantinedParts(0)
        org.setRecords(module: "Leads", records: 1, deleted: 0, changed: 0)
        org.recordOffsiteCopy(bytesAdded: 1, at: 1)
        org.setOffsiteLag(0)
        org.setAlarm(kind: .massChange, raised: false)
        metrics.downloadsInFlight.record(0)
        metrics.downloadBytesPerSecond.record(0)
        var names: Set<String> = []
        for line in metrics.render().split(separator: "\n") where !line.hasPrefix("#") {
            names.insert(String(line.prefix { $0 != "{" && $0 != " " }))
        }
        return names
    }

    @Test("every zoho_crm_backup_ metric the rules and their tests name is one the daemon renders; every metric is rendered")
    func namesAreTheDaemons() throws {
        let rendered = Self.renderedNames()
        #expect(Set(MetricName.allCases.map(\.rawValue)).isSubset(of: rendered), "the renderer above sets every metric: \(rendered)")
        let pattern = try NSRegularExpression(pattern: "zoho_crm_backup_[a-z_]+")
        for file in [Self.rules, Self.tests] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let used = Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) })
            #expect(!used.isEmpty)
            #expect(used.subtracting(rendered).isEmpty, "\(file) names metrics the daemon does not write: \(used.subtracting(rendered).sorted())")
        }
    }

    @Test("every kind the rules and their tests match on failures_total and alarm is one the daemon counts (a renamed kind breaks this)")
    func kindsAreTheDaemons() throws {
        let known = ["failures_total": Set(FailureKind.allCases.map(\.rawValue)), "alarm": Set(AlarmKind.allCases.map(\.rawValue))]
        let selector = try NSRegularExpression(pattern: #"zoho_crm_backup_(failures_total|alarm)\{([^}]*)\}"#)
        let matcher = try NSRegularExpression(pattern: #"kind\s*(=|!=|=~|!~)\s*"([^"]*)""#)
        var seen: [String: Set<String>] = [:]
        for file in [Self.rules, Self.tests] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            for match in selector.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let metric = String(text[Range(match.range(at: 1), in: text)!])
                let labels = String(text[Range(match.range(at: 2), in: text)!])
                for kind in matcher.matches(in: labels, range: NSRange(labels.startIndex..., in: labels)) {
                    let values = String(labels[Range(kind.range(at: 2), in: labels)!]).split(separator: "|").map(String.init)
                    seen[metric, default: []].formUnion(values)
                    #expect(Set(values).isSubset(of: known[metric]!), "\(file): \(metric){kind…\"\(values.joined(separator: "|"))\"} names a kind the daemon never writes")
                }
            }
        }
        #expect(seen["alarm"]?.isSuperset(of: ["mass_change", "offsite_check"]) == true && seen["failures_total"]?.contains("offsite") == true, "\(seen)")
    }

    @Test("the kind values never change (operators' rules match them): each pinned")
    func kindsArePinned() {
        #expect(FailureKind.allCases.map(\.rawValue) == ["zoho", "download", "verify", "links_expired", "links_unreadable", "removed_not_offsite", "offsite", "offsite_check"])
        #expect(AlarmKind.allCases.map(\.rawValue) == ["mass_change", "offsite_check", "offsite_cache"])
    }

    @Test("promtool check rules and promtool test rules: each alert fires when it should and not when it should not",
          .enabled(if: ProcessInfo.processInfo.environment["ZCB_PROMTOOL"] != nil, "make test runs it with promtool from Debian's package (ZCB_PROMTOOL)"))
    func promtool() throws {
        let promtool = try #require(ProcessInfo.processInfo.environment["ZCB_PROMTOOL"])
        let checked = try ChildProcess.run(promtool, ["check", "rules", Self.rules])
        #expect(checked.status == 0, "\(checked.all)")
        let tested = try ChildProcess.run(promtool, ["test", "rules", "zoho-crm-backup.rules.test.yml"], in: Self.root + "/Tests/prometheus")
        #expect(tested.status == 0 && tested.all.contains("SUCCESS"), "\(tested.all)")
    }
}
