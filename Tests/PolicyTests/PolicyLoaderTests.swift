import Foundation
import TestSupport
import Policy
import Testing
import ZohoModel

/// The project's root, found from this file's path (Tests/PolicyTests/…).
let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@Suite("Policy file")
struct PolicyLoaderTests {
    let loader = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)

    func errors(_ yaml: String) -> [String] {
        do {
            _ = try loader.parse(yaml, file: "policy.yaml")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func minimalPolicyGetsEveryDefault() throws {
        let policy = try loader.parse("""
            version: 1
            orgs:
              acme:
                data_center: us
                credentials: acme
                schedule: "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
            """, file: "p.yaml")
        #expect(policy.parallelDownloads == 2)
        #expect(policy.metricsTextfile == nil)
        #expect(policy.stateDir == "/var/lib/zoho-crm-backup/state")
        let acme = try #require(policy.org("acme"))
        #expect(acme.dataCenter == .us)
        #expect(acme.attachments)
        #expect(acme.pollInterval == .seconds(900))
        #expect(acme.timeZone.secondsFromGMT() == 0)
        #expect(acme.archive.path == "/var/lib/zoho-crm-backup/archive/acme")
        #expect(acme.archive.keep == RetentionCounts(last: 4, weekly: 8, monthly: 12, yearly: 3))
        #expect(acme.archive.minFree == ByteSize(bytes: 1 << 30))
        #expect(acme.endpoints.accounts == "https://accounts.zoho.com")
        #expect(acme.endpoints.api == "https://www.zohoapis.com")
        #expect(acme.endpoints.downloadHosts == ["download-accl.zoho.com", "download.zoho.com"])
        #expect(acme.maxAge == .seconds(9 * 86_400))
        #expect(acme.credentialsPosition == SourcePosition(line: 5, column: 18))
        #expect(acme.position == SourcePosition(line: 3, column: 3))
    }

    @Test func stateDirectoryFromSystemd() throws {
        let loader = PolicyLoader(environment: ["STATE_DIRECTORY": "/var/lib/zoho-crm-backup"])
        let policy = try loader.parse("version: 1\norgs:\n  a:\n    data_center: eu\n    credentials: a\n    schedule: none\n", file: "p")
        #expect(policy.stateDir == "/var/lib/zoho-crm-backup/state")
        #expect(policy.orgs.first?.archive.path == "/var/lib/zoho-crm-backup/archive/a")
        #expect(policy.orgs.first?.maxAge == nil)
    }

    @Test(arguments: ["UTC", "Etc/UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
    func zonesTzdataKnows(_ zone: String) throws {
        let policy = try loader.parse(Self.org + "    timezone: \(zone)\n", file: "p")
        #expect(policy.orgs.first?.timeZone.secondsFromGMT() != nil)
    }

    @Test("alert: mass-change limits as percentages, off, and the defaults")
    func massChangeLimits() throws {
        let set = try loader.parse(Self.org + "    alert: {max_deleted: 2.5%, max_changed: off, min_records: 10, hold_days: 30}\n", file: "p")
        #expect(set.orgs.first?.massChange == MassChangeLimits(maxDeleted: 0.025, maxChanged: nil, minRecords: 10, holdDays: 30))
        let defaults = try loader.parse("version: 1\ndefaults:\n  alert: {max_deleted: 10 %}\n" + Self.org.dropFirst("version: 1\n".count), file: "p")
        #expect(defaults.orgs.first?.massChange.maxDeleted == 0.1, "under defaults: for every org")
        #expect(try loader.parse(Self.org, file: "p").orgs.first?.massChange == .default)
    }

    @Test func emptyOrgsIsValid() throws {
        #expect(try loader.parse("version: 1\norgs: {}\n", file: "p").orgs.isEmpty)
        #expect(try loader.parse("version: 1\norgs:\n", file: "p").orgs.isEmpty)
    }

    @Test func exampleIsValidAndUsesEveryKey() throws {
        let path = projectRoot + "/config/policy.example.yaml"
        let policy = try loader.load(path: path)
        #expect(policy.orgs.map(\.name) == ["acme", "globex", "initech"])
        #expect(policy.metricsTextfile == "/var/lib/prometheus/node-exporter/zoho-crm-backup.prom")
        let globex = try #require(policy.org("globex"))
        #expect(globex.archive.keep == RetentionCounts(last: 3, weekly: 0, monthly: 24, yearly: 5))
        #expect(globex.maxAge == .seconds(37 * 86_400))
        #expect(globex.attachments == false)
        #expect(policy.org("initech")?.maxAge == .seconds(35 * 86_400))
        #expect(policy.org("acme")?.massChange == .default && policy.org("initech")?.massChange == .default)
        #expect(policy.org("acme")?.timeZone.identifier == "Europe/Berlin")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for key in ["version", "orgs", "downloads", "parallel", "metrics", "textfile", "state_dir", "data_center",
                    "credentials", "schedule", "attachments", "poll_interval", "timezone", "archive", "path", "keep",
                    "last", "weekly", "monthly", "yearly", "min_free", "endpoints", "accounts", "api",
                    "download_hosts", "alert", "max_age", "max_deleted", "max_changed", "min_records", "hold_days"] {
            #expect(text.contains("\(key):"), "the example shows \(key)")
        }
    }

    @Test func fiveMistakesGiveFiveLocatedErrors() {
        // A misspelt required key is one mistake and one line, not also "missing".
        let got = errors("""
            version: 1
            orgs:
              acme:
                data_centre: us
                credentials: acme
                schedule: "RRULE:FREQ=WEEKLY;INTERVAL=60;BYDAY=FR"
                poll_interval: 15 minutes
                timezone: Europe/Berlim
                archive:
                  keep: { last: -1 }
            """)
        #expect(got == [
            "policy.yaml:4:5: acme: unknown key 'data_centre' (did you mean 'data_center'?); known keys: data_center, credentials, schedule, attachments, poll_interval, timezone, archive, endpoints, alert, offsite, notify",
            "policy.yaml:6:15: schedule: INTERVAL must be 1–52, got 60",
            "policy.yaml:7:20: poll_interval: '15 minutes' is not a duration; write a number and a unit (s, m, h, d, w), e.g. 15m, 2h, 9d",
            "policy.yaml:8:15: timezone: 'Europe/Berlim' is not a known IANA time zone (did you mean 'Europe/Berlin'?); e.g. Europe/Berlin, America/New_York, UTC",
            "policy.yaml:10:21: archive.keep.last: must be 0–10000, got -1",
        ])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String, yaml: String, expected: String
        var testDescription: String { name }
    }

    static let org = "version: 1\norgs:\n  acme:\n    data_center: us\n    credentials: acme\n    schedule: none\n"

    @Test(arguments: [
        Bad(name: "missing version", yaml: "orgs: {}\n", expected: "policy.yaml:1:1: missing required key 'version' (write 'version: 1' at the top)"),
        Bad(name: "wrong version", yaml: "version: 2\norgs: {}\n", expected: "policy.yaml:1:10: version: this daemon reads policy version 1, got 2"),
        Bad(name: "missing orgs", yaml: "version: 1\n", expected: "policy.yaml:1:1: missing required key 'orgs' (write 'orgs: {}' for none yet)"),
        Bad(name: "top-level typo", yaml: "version: 1\norgs: {}\ndownload: {parallel: 2}\n", expected: "policy.yaml:3:1: unknown key 'download' (did you mean 'downloads'?); known keys: version, defaults, orgs, downloads, metrics, state_dir, heartbeat"),
        Bad(name: "parallel range", yaml: "version: 1\norgs: {}\ndownloads: {parallel: 0}\n", expected: "policy.yaml:3:23: downloads.parallel: must be 1–16, got 0"),
        Bad(name: "textfile suffix", yaml: "version: 1\norgs: {}\nmetrics: {textfile: /tmp/x.txt}\n", expected: "policy.yaml:3:21: metrics.textfile: node_exporter reads only files ending in .prom, got '/tmp/x.txt'"),
        Bad(name: "relative state_dir", yaml: "version: 1\norgs: {}\nstate_dir: state\n", expected: "policy.yaml:3:12: state_dir: must be an absolute path (starting with /), got 'state'"),
        Bad(name: "org name", yaml: "version: 1\norgs:\n  Acme_Corp:\n    data_center: us\n    credentials: a\n    schedule: none\n", expected: "policy.yaml:3:3: org name 'Acme_Corp' must be 1–63 characters of a-z, 0-9 and '-' (it is used in paths, logs and metrics)"),
        Bad(name: "data centre", yaml: org.replacingOccurrences(of: "data_center: us", with: "data_center: usa"), expected: "policy.yaml:4:18: data_center: unknown data centre 'usa' (did you mean 'us'?); one of us eu in au jp ca cn sa uk"),
        Bad(name: "credentials path", yaml: org.replacingOccurrences(of: "credentials: acme", with: "credentials: /etc/x.json"), expected: "policy.yaml:5:18: credentials: '/etc/x.json' must be a name of letters, digits, '.', '_' and '-' (the file /etc/x.json.json in the credentials folder), not a path"),
        Bad(name: "schedule lower case", yaml: org.replacingOccurrences(of: "schedule: none", with: "schedule: weekly"), expected: "policy.yaml:6:15: schedule: the rule must be upper case, e.g. RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"),
        Bad(name: "schedule daily", yaml: org.replacingOccurrences(of: "schedule: none", with: "schedule: RRULE:FREQ=DAILY;INTERVAL=1;BYDAY=FR"), expected: "policy.yaml:6:15: schedule: FREQ must be WEEKLY or MONTHLY, got DAILY"),
        Bad(name: "attachments not bool", yaml: org + "    attachments: maybe\n", expected: "policy.yaml:7:18: attachments: expected true or false, got 'maybe'"),
        Bad(name: "poll too short", yaml: org + "    poll_interval: 0s\n", expected: "policy.yaml:7:20: poll_interval: must be 1s–1d, got 0s"),
        Bad(name: "size", yaml: org + "    archive: {min_free: 5 gigs}\n", expected: "policy.yaml:7:25: archive.min_free: expected a size such as 1GiB, 500MB or 0, got '5 gigs'"),
        Bad(name: "keep everything zero", yaml: org + "    archive: {keep: {last: 0, weekly: 0, monthly: 0, yearly: 0}}\n", expected: "policy.yaml:7:21: archive.keep: every count is 0, so every backup would be deleted once downloaded; keep at least last: 1"),
        Bad(name: "keep typo", yaml: org + "    archive: {keep: {dayly: 3}}\n", expected: "policy.yaml:7:22: archive.keep: unknown key 'dayly'; known keys: last, weekly, monthly, yearly"),
        Bad(name: "relative archive", yaml: org + "    archive: {path: backups}\n", expected: "policy.yaml:7:21: archive.path: must be an absolute path (starting with /), got 'backups'"),
        Bad(name: "http endpoint", yaml: org + "    endpoints: {api: 'http://zoho.example.com'}\n", expected: "policy.yaml:7:22: endpoints.api: http is allowed only on loopback (127.0.0.1, ::1, localhost); use https for zoho.example.com"),
        Bad(name: "endpoint with secret", yaml: org + "    endpoints: {accounts: 'https://u:p@accounts.zoho.com'}\n", expected: "policy.yaml:7:27: endpoints.accounts: must not carry a user, password, query or fragment"),
        Bad(name: "download host with scheme", yaml: org + "    endpoints: {download_hosts: ['https://x.zoho.com']}\n", expected: "policy.yaml:7:34: endpoints.download_hosts: 'https://x.zoho.com' must be a host name, optionally with :port (no scheme, no path)"),
        Bad(name: "max_age", yaml: org + "    alert: {max_age: 1m}\n", expected: "policy.yaml:7:22: alert.max_age: must be 1h–3640d, got 1m"),
        Bad(name: "max_deleted without %", yaml: org + "    alert: {max_deleted: 5}\n", expected: "policy.yaml:7:26: alert.max_deleted: '5' is not a percentage; write it with its % sign (5%, 12.5%), or off"),
        Bad(name: "max_changed over 100%", yaml: org + "    alert: {max_changed: 150%}\n", expected: "policy.yaml:7:26: alert.max_changed: must be more than 0% and at most 100%, got 150% (off turns it off)"),
        Bad(name: "hold_days zero", yaml: org + "    alert: {hold_days: 0}\n", expected: "policy.yaml:7:24: alert.hold_days: must be 1–3650, got 0"),
        Bad(name: "alert typo", yaml: org + "    alert: {max_delete: 5%}\n", expected: "policy.yaml:7:13: alert: unknown key 'max_delete' (did you mean 'max_deleted'?); known keys: max_age, max_deleted, max_changed, min_records, hold_days"),
        Bad(name: "duplicate key", yaml: org + "    schedule: none\n", expected: "policy.yaml:6:5: not valid YAML: duplicate key 'schedule' in this mapping; each key may appear once"),
        Bad(name: "not a mapping", yaml: "- version: 1\n", expected: "policy.yaml:1:1: the policy must be a YAML mapping with 'version: 1' and 'orgs:', got a list"),
        Bad(name: "org not a mapping", yaml: "version: 1\norgs:\n  acme: us\n", expected: "policy.yaml:3:9: acme: expected a mapping of keys (key: value), got 'us'"),
        Bad(name: "number as text", yaml: org.replacingOccurrences(of: "credentials: acme", with: "credentials: 42"), expected: "policy.yaml:5:18: credentials: expected text, got '42'"),
    ])
    func refuses(_ bad: Bad) {
        #expect(errors(bad.yaml) == [bad.expected])
    }

    @Test func archivesMustBeDistinctAndStateOutside() {
        let got = errors("""
            version: 1
            state_dir: /srv/zoho/acme/state
            orgs:
              acme:
                data_center: us
                credentials: acme
                schedule: none
                archive: {path: /srv/zoho/acme}
              beta:
                data_center: us
                credentials: beta
                schedule: none
                archive: {path: /srv/zoho/acme/}
              gamma:
                data_center: us
                credentials: gamma
                schedule: none
                archive: {path: /srv/zoho/acme/sub}
            """)
        #expect(got == [
            "policy.yaml:2:12: state_dir: '/srv/zoho/acme/state' is inside org acme's archive '/srv/zoho/acme'; keep state outside every archive",
            "policy.yaml:9:3: archive.path: '/srv/zoho/acme' overlaps org acme's archive '/srv/zoho/acme'; each org needs its own folder",
            // Each org is reported once, against the nearest archive it overlaps (O(n log n), issue 17).
            "policy.yaml:14:3: archive.path: '/srv/zoho/acme/sub' overlaps org beta's archive '/srv/zoho/acme'; each org needs its own folder",
        ])
    }

    @Test func loopbackEndpointsAndExtraDownloadHosts() throws {
        let policy = try loader.parse(Self.org + """
                endpoints:
                  accounts: http://127.0.0.1:8080/
                  api: http://localhost:8080
                  download_hosts: [127.0.0.1:8080, Download.Example.COM]
            """, file: "p")
        let e = try #require(policy.orgs.first?.endpoints)
        #expect(e.accounts == "http://127.0.0.1:8080")
        #expect(e.api == "http://localhost:8080")
        #expect(e.downloadHosts == ["download-accl.zoho.com", "download.zoho.com", "127.0.0.1:8080", "download.example.com"])
    }
}
