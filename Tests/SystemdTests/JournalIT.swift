import Foundation
import TestSupport
import Systemd
import Testing

/// Journal entries read back from a real, private journald. `make test` runs this suite
/// under `.ci/with-journald` (root), which sets ZCB_PRIVATE_JOURNAL=1; a plain `swift test`
/// has no journald of its own to read and skips it.
@Suite("Journal entries in a private journald", .enabled(if: ProcessInfo.processInfo.environment["ZCB_PRIVATE_JOURNAL"] == "1"))
struct JournalIT {
    /// Entries of this run: `journalctl -o json` with `filters`, one object per line.
    func entries(_ filters: [String]) throws -> [[String: Any]] {
        _ = try Run.command("/usr/bin/journalctl", ["--sync"])
        let r = try Run.command("/usr/bin/journalctl", ["-o", "json", "--no-pager"] + filters)
        return r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func eventsCarryFieldsAndMessageIDs() throws {
        let marker = UUID().uuidString
        let r = try Run.probe(["log-events"], environment: ["ZOHO_CRM_BACKUP_LOG": "journal", "ZCB_MARKER": marker])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty, "journal entries are not also written to stderr: \(r.stderr)")
        for id in MessageID.allCases {
            let found = try entries(["MESSAGE_ID=\(id.rawValue)", "ZOHO_MARKER=\(marker)"])
            let entry = try #require(found.last, "an entry with MESSAGE_ID \(id)")
            // The message does not repeat the org; the handler names it, so `journalctl -u` shows it.
            #expect(entry["MESSAGE"] as? String == "[acme] probe event \(id)")
            #expect(entry["SYSLOG_IDENTIFIER"] as? String == "zoho-crm-backup")
            #expect(entry["PRIORITY"] as? String == "5")
            #expect(entry["ZOHO_ORG"] as? String == "acme")
            #expect(entry["ZOHO_JOB_ID"] as? String == "4876876000001594004")
            #expect(entry["ZOHO_FILE"] as? String == "Data_001.zip")
            #expect(entry["ZOHO_ATTEMPT"] as? String == "2")
            #expect((entry["CODE_FILE"] as? String)?.hasSuffix("main.swift") == true)
            #expect(Int(entry["CODE_LINE"] as? String ?? "") ?? 0 > 0)
            #expect(entry["CODE_FUNC"] as? String != nil)
        }
        #expect(try entries(["ZOHO_ORG=acme", "SYSLOG_IDENTIFIER=zoho-crm-backup", "ZOHO_MARKER=\(marker)"]).count == MessageID.allCases.count)
    }

    @Test func credentialsErrorReachesTheJournalWithoutTheSecret() throws {
        let dir = try makeTemporaryFolder("journal-creds")
        let leak = "token refresh failed: Zoho-oauthtoken \(probeSecret)"
        let marker = UUID().uuidString
        let r = try Run.probe(["log-credentials-error:\(dir)", "log-leak"],
                              environment: ["ZOHO_CRM_BACKUP_LOG": "journal", "ZCB_MARKER": marker, "ZCB_LEAK": leak])
        #expect(r.status == 0)
        let rejected = try entries(["MESSAGE_ID=\(MessageID.credentialsRejected.rawValue)", "PRIORITY=3", "ZOHO_MARKER=\(marker)"])
        let message = try #require(rejected.last?["MESSAGE"] as? String)
        #expect(message.contains("\(dir)/acme.json: is readable by group or others (mode 0644)"))
        #expect(message.contains("chmod 600"))
        let everything = try Run.command("/usr/bin/journalctl", ["-o", "json", "--no-pager"]).stdout
        let scrubbed = everything.contains("token refresh failed: Zoho-oauthtoken <redacted>")
        let leaked = everything.contains(probeSecret) || everything.contains("probe-client-secret-value")
        #expect(scrubbed, "the leaked token's message is in the journal, masked")
        #expect(!leaked, "no secret anywhere in the journal")
    }
}
