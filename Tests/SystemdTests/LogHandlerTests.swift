import Foundation
import TestSupport
import Glibc
import Logging
@testable import Systemd
import Testing

@Suite("Log handlers")
struct LogHandlerTests {
    @Test func stderrLinesAreReadableAndCarryNoSecret() throws {
        let dir = try makeTemporaryFolder("stderr-creds")
        let r = try Run.probe(["log-events", "log-credentials-error:\(dir)", "log-leak"],
                              environment: ["ZOHO_CRM_BACKUP_LOG": "stderr", "ZCB_LEAK": "refresh_token=\(probeSecret)"])
        #expect(r.status == 0)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == MessageID.allCases.count + 2)
        #expect(lines.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ notice \[acme job=4876876000001594004 file=Data_001.zip attempt=2\] probe event backupArchived$"#, options: .regularExpression) != nil, "\(lines.first ?? "")")
        #expect(lines.contains { $0.contains("error [acme] credentials rejected: \(dir)/acme.json: is readable by group or others") })
        #expect(lines.last?.hasSuffix("refresh_token=<redacted>") == true)
        #expect(!r.stderr.contains(probeSecret))
        #expect(!r.stderr.contains("probe-client-secret-value"))
    }

    @Test("the org is shown once: the journal's and the demo's MESSAGE get an [org] prefix, stderr's context already has it")
    func orgShownOnce() {
        let org: Logger.Metadata = [LogField.orgKey: "acme"]
        #expect(LogField.withOrg("retention removed backup X", org) == "[acme] retention removed backup X")
        #expect(LogField.withOrg("[acme] lost: links expired", org) == "[acme] lost: links expired")
        #expect(LogField.withOrg("policy reloaded", [:]) == "policy reloaded")
        let line = StderrOutput.format(event: LogEvent(level: .error, message: "[acme] lost: links expired", metadata: nil,
                                                           source: "t", file: #fileID, function: #function, line: #line),
                                           metadata: org)
        #expect(line.hasSuffix(" error [acme] lost: links expired"), "\(line)")
    }

    @Test func journalIsChosenOnlyWhenJournalStreamIsStderr() {
        var info = stat()
        fstat(2, &info)
        let mine = "\(info.st_dev):\(info.st_ino)"
        #expect(LogDestination.detect(environment: ["JOURNAL_STREAM": mine]) == .journal)
        #expect(LogDestination.detect(environment: ["JOURNAL_STREAM": "1:2"]) == .stderr)
        #expect(LogDestination.detect(environment: ["JOURNAL_STREAM": "garbage"]) == .stderr)
        #expect(LogDestination.detect(environment: [:]) == .stderr)
        #expect(LogDestination.detect(environment: ["ZOHO_CRM_BACKUP_LOG": "journal"]) == .journal)
        #expect(LogDestination.detect(environment: ["ZOHO_CRM_BACKUP_LOG": "stderr", "JOURNAL_STREAM": mine]) == .stderr)
    }

    @Test(arguments: [
        ("org", "ZOHO_ORG"), ("job_id", "ZOHO_JOB_ID"), ("file", "ZOHO_FILE"), ("message_id", "MESSAGE_ID"),
        ("attempt", "ZOHO_ATTEMPT"), ("http.status", "ZOHO_HTTP_STATUS"), ("retry-after", "ZOHO_RETRY_AFTER"),
    ])
    func metadataKeysBecomeJournalFields(_ key: String, _ field: String) {
        #expect(LogField.journalName(for: key) == field)
    }

    @Test func prioritiesFollowSyslog() {
        #expect([Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map(LogField.priority) == [7, 7, 6, 5, 4, 3, 2])
    }

    @Test(arguments: [
        ("Authorization: Zoho-oauthtoken 1000.8cb99dxxxxxxxxxxxxx9be93.9b8xxxxxxxxxxxxxxxf", "Authorization: Zoho-oauthtoken <redacted>"),
        ("grant_type=refresh_token&refresh_token=1000.abc&client_secret=xyz", "grant_type=refresh_token&refresh_token=<redacted>&client_secret=<redacted>"),
        (#"{"access_token":"1000.aaaa","expires_in":3600}"#, #"{"access_token":"<redacted>","expires_in":3600}"#),
        ("leaked \(probeSecret) here", "leaked <redacted> here"),
        ("backup 4876876000001594004 archived: 3 parts", "backup 4876876000001594004 archived: 3 parts"),
        ("Fatal: rest:https://backup:p@ss@host:8000/zoho unreachable", "Fatal: rest:https://backup:<redacted>@host:8000/zoho unreachable"),
        ("AWS_SECRET_ACCESS_KEY=abc/def+ghi in the environment", "AWS_SECRET_ACCESS_KEY=<redacted> in the environment"),
        ("sftp:backup@nas:/srv/restic", "sftp:backup@nas:/srv/restic"),
        ("POST https://hooks.slack.com/services/T0/B0/tok3n failed", "POST https://hooks.slack.com/<redacted> failed"),
        ("ping https://hc-ping.com/5b1a-uuid/start", "ping https://hc-ping.com/<redacted>"),
    ])
    func scrubberMasksSecretShapes(_ input: String, _ expected: String) {
        #expect(SecretScrubber.scrub(input) == expected)
    }

    @Test func handlersHaveValueSemantics() {
        var a = Logger(label: "a", factory: { StderrLogHandler(label: $0) })
        a.logLevel = .debug
        a[metadataKey: "only-on"] = "first"
        var b = a
        b.logLevel = .error
        b[metadataKey: "only-on"] = "second"
        #expect(a.logLevel == .debug)
        #expect(a[metadataKey: "only-on"] == "first")
        #expect(b[metadataKey: "only-on"] == "second")
        var j = Logger(label: "j", factory: { JournalLogHandler(label: $0) })
        j.logLevel = .warning
        #expect(j.logLevel == .warning)
    }
}
