import Foundation
import TestSupport
import Systemd
import Testing

@Suite("Metrics textfile")
struct MetricsTests {
    /// A registry fed as the supervisor would: two orgs, a success, failures, a pending link.
    static func fixture() -> BackupMetrics {
        let metrics = BackupMetrics()
        let acme = metrics.org("acme")
        acme.recordArchived(bytes: 3_221_225_472, parts: 4, at: 1_795_300_000)
        acme.setFreshness(newestAgeSeconds: 86_400, maxAgeSeconds: 777_600, alarm: false)
        acme.setLinksExpiry(nil)
        acme.setRecords(module: "Contacts", records: 38_080, deleted: 3_120, changed: 12)
        acme.setAlarm(kind: .massChange, raised: true)
        let globex = metrics.org("globex")
        globex.recordFailure(kind: .download)
        globex.recordFailure(kind: .download)
        globex.recordFailure(kind: .verify)
        globex.recordQuotaError()
        globex.setFreshness(newestAgeSeconds: 3_000_000, maxAgeSeconds: 2_851_200, alarm: true)
        globex.setLinksExpiry(1_795_900_000)
        globex.setQuarantinedParts(1)
        globex.recordOffsiteCopy(bytesAdded: 4_096, at: 1_795_300_100)
        globex.recordOffsiteCopy(bytesAdded: 1_024, at: 1_795_300_200)
        globex.setOffsiteLag(2)
        metrics.downloadsInFlight.record(1)
        metrics.downloadBytesPerSecond.record(52_428_800.5)
        return metrics
    }

    @Test func fileParsesUnderTheTextFormatRules() throws {
        let dir = try makeTemporaryFolder("metrics")
        let path = dir + "/zoho-crm-backup.prom"
        try MetricsTextfile.write(Self.fixture(), to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let families = try PrometheusText.parse(text)

        #expect(families["zoho_crm_backup_archived_bytes_total"]?.type == "counter")
        #expect(families["zoho_crm_backup_archived_bytes_total"]?.samples[#"org="acme""#] == 3_221_225_472)
        #expect(families["zoho_crm_backup_archived_parts_total"]?.samples[#"org="acme""#] == 4)
        #expect(families["zoho_crm_backup_last_success_timestamp_seconds"]?.samples[#"org="acme""#] == 1_795_300_000)
        #expect(families["zoho_crm_backup_failures_total"]?.samples[#"kind="download",org="globex""#] == 2)
        #expect(families["zoho_crm_backup_failures_total"]?.samples[#"kind="verify",org="globex""#] == 1)
        #expect(families["zoho_crm_backup_quota_errors_total"]?.samples[#"org="globex""#] == 1)
        #expect(families["zoho_crm_backup_freshness_alarm"]?.samples[#"org="globex""#] == 1)
        #expect(families["zoho_crm_backup_freshness_alarm"]?.samples[#"org="acme""#] == 0)
        #expect(families["zoho_crm_backup_links_expiry_timestamp_seconds"]?.samples[#"org="globex""#] == 1_795_900_000)
        #expect(families["zoho_crm_backup_records"]?.samples[#"module="Contacts",org="acme""#] == 38_080)
        #expect(families["zoho_crm_backup_records_deleted"]?.samples[#"module="Contacts",org="acme""#] == 3_120)
        #expect(families["zoho_crm_backup_records_changed"]?.samples[#"module="Contacts",org="acme""#] == 12)
        #expect(families["zoho_crm_backup_alarm"]?.samples[#"kind="mass_change",org="acme""#] == 1)
        #expect(families["zoho_crm_backup_offsite_bytes_added_total"]?.samples[#"org="globex""#] == 5_120)
        #expect(families["zoho_crm_backup_offsite_last_success_timestamp_seconds"]?.samples[#"org="globex""#] == 1_795_300_200)
        #expect(families["zoho_crm_backup_offsite_lag_backups"]?.samples[#"org="globex""#] == 2)
        #expect(families["zoho_crm_backup_downloads_in_flight"]?.samples[""] == 1)
        #expect(families["zoho_crm_backup_download_bytes_per_second"]?.samples[""] == 52_428_800.5)
        for name in MetricName.allCases {
            #expect(families[name.rawValue]?.help == name.help, "\(name.rawValue) has its HELP line")
        }
    }

    /// Prometheus' own Python parser (prometheus_client, installed by `make test` into
    /// .build/venv) reads the same file. Without `ZCB_PYTHON` (a plain `swift test`), the
    /// strict parser above is the check.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ZCB_PYTHON"] != nil))
    func prometheusClientParsesTheFile() throws {
        let python = try #require(ProcessInfo.processInfo.environment["ZCB_PYTHON"])
        let dir = try makeTemporaryFolder("metrics-py")
        let path = dir + "/m.prom"
        try MetricsTextfile.write(Self.fixture(), to: path)
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            n = 0
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    n += 1
                    print(family.type, s.name, sorted(s.labels.items()), s.value)
            print("samples", n)
            """
        let r = try Run.command(python, ["-c", script, path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("counter zoho_crm_backup_failures_total [('kind', 'download'), ('org', 'globex')] 2\n"))
        #expect(r.stdout.contains("gauge zoho_crm_backup_download_bytes_per_second [] 52428800.5"))
        #expect(r.stdout.contains("gauge zoho_crm_backup_alarm [('kind', 'mass_change'), ('org', 'acme')] 1.0\n"))
        #expect(r.stdout.contains("counter zoho_crm_backup_offsite_bytes_added_total [('org', 'globex')] 5120\n"))
        #expect(r.stdout.contains("samples 24"))
    }

    @Test func failedWriteLeavesTheOldFile() throws {
        let dir = try makeTemporaryFolder("metrics-keep")
        let path = dir + "/m.prom"
        try MetricsTextfile.write(Self.fixture(), to: path)
        let before = try String(contentsOfFile: path, encoding: .utf8)
        #expect(throws: (any Error).self) { try MetricsTextfile.write(Self.fixture(), to: dir + "/missing/m.prom") }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
    }
}

/// A strict reader of the Prometheus text exposition format (0.0.4): every line is a comment,
/// `# HELP name text`, `# TYPE name counter|gauge|histogram|summary|untyped`, or a sample
/// `name{label="value",…} value`; names and labels follow the grammar; a family's TYPE comes
/// before its samples; values parse as floats.
enum PrometheusText {
    struct Family {
        var type: String?
        var help: String?
        /// Label set as written (sorted `k="v"` pairs joined by commas) → value.
        var samples: [String: Double] = [:]
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var description: String { "line \(line): \(text)" }
    }

    static let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    static let labelName = #"[a-zA-Z_][a-zA-Z0-9_]*"#
    static let labelValue = #""(?:[^"\\\n]|\\["\\n])*""#

    static func parse(_ text: String) throws -> [String: Family] {
        guard text.hasSuffix("\n") else { throw ParseError(line: 0, text: "the file must end with a newline") }
        var families: [String: Family] = [:]
        let sample = try NSRegularExpression(pattern: "^(\(name))(\\{((\(labelName))=\(labelValue)(,(\(labelName))=\(labelValue))*,?)?\\})? ([^ ]+)( -?[0-9]+)?$")
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let line = String(raw)
            let number = index + 1
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard parts.count >= 3, String(parts[2]).range(of: "^\(name)$", options: .regularExpression) != nil else {
                    throw ParseError(line: number, text: "bad metric name in '\(line)'")
                }
                let metric = String(parts[2])
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw ParseError(line: number, text: "bad TYPE '\(line)'")
                    }
                    guard families[metric]?.type == nil, families[metric]?.samples.isEmpty ?? true else {
                        throw ParseError(line: number, text: "TYPE after samples or twice for \(metric)")
                    }
                    families[metric, default: Family()].type = String(parts[3])
                } else {
                    families[metric, default: Family()].help = parts.count == 4 ? String(parts[3]) : ""
                }
                continue
            }
            if line.hasPrefix("#") || line.isEmpty { continue }
            let range = NSRange(line.startIndex..., in: line)
            guard let match = sample.firstMatch(in: line, range: range),
                  let nameRange = Range(match.range(at: 1), in: line),
                  let valueRange = Range(match.range(at: 7), in: line) else {
                throw ParseError(line: number, text: "not a sample: '\(line)'")
            }
            let metric = String(line[nameRange])
            let valueText = String(line[valueRange])
            guard let value = Double(valueText) ?? ["+Inf": .infinity, "-Inf": -.infinity, "NaN": .nan][valueText] else {
                throw ParseError(line: number, text: "bad value '\(valueText)'")
            }
            guard families[metric]?.type != nil else { throw ParseError(line: number, text: "sample of \(metric) before its TYPE") }
            let labels = Range(match.range(at: 3), in: line).map { String(line[$0]) } ?? ""
            let key = labels.split(separator: ",").map(String.init).sorted().joined(separator: ",")
            guard families[metric]?.samples[key] == nil else { throw ParseError(line: number, text: "duplicate series \(metric){\(key)}") }
            families[metric]?.samples[key] = value
        }
        return families
    }
}
