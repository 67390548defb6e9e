import Foundation
import TestSupport
import Testing

@Suite("zoho-crm-backup history")
struct HistoryCommandTests {
    @Test func listsZohosHistoryWithTheSharedTokenCache() throws {
        let sim = try SimulatorProcess()
        defer { sim.stop() }
        let dir = try makeTemporaryFolder("history")
        try (sim.policy() + "\nstate_dir: \(dir)/state\n").write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let creds = dir + "/creds"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: sim.credentials)
        FileManager.default.createFile(atPath: creds + "/org_acme.json", contents: json, attributes: [.posixPermissions: 0o600])
        let env = ["CREDENTIALS_DIRECTORY": creds]

        let empty = try CommandRunner.run(["history", "--policy", dir + "/policy.yaml"], environment: env)
        #expect(empty.status == 0, "\(empty.all)")
        #expect(empty.stdout.contains("acme: no backup history"))

        // Schedule through the API with the token the command cached (0600, shared by every process).
        let cache = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/state/acme/token.json"))) as? [String: Any])
        let token = try #require(cache["access_token"] as? String)
        _ = try curl(["-s", "-X", "POST", "-H", "Authorization: Zoho-oauthtoken \(token)", sim.base + "/crm/bulk/v7/backup",
                      "-d", #"{"backup":{"rrule":"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"}}"#])

        let r = try CommandRunner.run(["history", "--policy", dir + "/policy.yaml", "--json"], environment: env)
        #expect(r.status == 0, "\(r.all)")
        let orgs = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let entries = try #require(orgs.first?["entries"] as? [[String: Any]])
        #expect(entries.first?["action"] as? String == "scheduled")
        #expect(entries.first?["repeat_type"] as? String == "biweekly")
        #expect(!r.all.contains(token) && !r.all.contains(sim.credentials["refresh_token"] ?? "-"))
    }

    @Test func missingCredentialsFailWithTheFix() throws {
        let dir = try makeTemporaryFolder("history-nocreds")
        try "version: 1\nstate_dir: \(dir)/state\norgs:\n  acme:\n    data_center: us\n    credentials: acme\n    schedule: none\n"
            .write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(["history", "--policy", dir + "/policy.yaml"], environment: ["CREDENTIALS_DIRECTORY": dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("credentials: no credentials file for 'acme'"))
        #expect(r.stderr.contains("zoho-crm-backup auth --org acme"))
    }
}
