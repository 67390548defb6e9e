import Foundation
import TestSupport
import Testing

@Suite("zoho-crm-backup check")
struct CheckCommandTests {
    static let example = projectRoot + "/config/policy.example.yaml"
    static let secret = "1000.refresh-SECRET-do-not-print"

    /// A credentials folder with a fake file for each org of the example, as systemd provides it.
    func credentialsFolder(mode: Int = 0o600) throws -> String {
        let dir = try makeTemporaryFolder("creds")
        for org in ["acme", "globex", "initech"] {
            let path = "\(dir)/org_\(org).json"
            let json = #"{"client_id":"1000.ID\#(org)","client_secret":"s3cr3t-\#(org)","refresh_token":"\#(Self.secret)"}"#
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        return dir
    }

    @Test func exampleIsValidWithCredentials() throws {
        let creds = try credentialsFolder()
        let r = try CommandRunner.run(["check", "--policy", Self.example], environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("policy and credentials OK; 3 orgs"))
        #expect(r.stdout.contains("credentials \(creds)/org_acme.json"))
        #expect(!r.all.contains(Self.secret))
    }

    @Test func exampleIsValidWithoutCredentials() throws {
        let r = try CommandRunner.run(["check", "--no-credentials", "--policy", Self.example])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("credentials not checked"))
        #expect(r.stdout.contains("acme: us, RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"))
    }

    @Test func openCredentialsFileIsRefusedWithTheFix() throws {
        let creds = try credentialsFolder(mode: 0o644)
        let r = try CommandRunner.run(["check", "--policy", Self.example], environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(r.status == 1)
        let first = try #require(r.stderr.split(separator: "\n").first)
        #expect(first == "\(Self.example):31:18: credentials: org acme: \(creds)/org_acme.json: is readable by group or others (mode 0644); secrets must be readable by their owner only: run `chmod 600 \(creds)/org_acme.json`")
        #expect(!r.all.contains(Self.secret))
    }

    @Test func fiveMistakesPrintFiveLocatedLines() throws {
        let dir = try makeTemporaryFolder("five")
        let path = dir + "/policy.yaml"
        try """
            version: 1
            downloads: {parallel: 99}
            orgs:
              acme:
                data_center: mars
                credentials: acme
                schedule: "RRULE:FREQ=WEEKLY;INTERVAL=60;BYDAY=FR"
                polling: 15m
                archive: {path: relative/path}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(["check", "--no-credentials", "--policy", path])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(r.stderr)")
        #expect(lines.filter { $0.hasPrefix("\(path):") && $0.range(of: #"^[^:]+:\d+:\d+: "#, options: .regularExpression) != nil }.count == 5)
        #expect(lines.contains("\(path):7:15: schedule: INTERVAL must be 1–52, got 60"))
        #expect(lines.contains("\(path):2:23: downloads.parallel: must be 1–16, got 99"))
        #expect(lines.last == "\(path): 5 problems")
    }

    @Test(arguments: ["directory", "not YAML", "empty", "10 MB", "binary"])
    func unusableFilesGiveOneClearError(_ kind: String) throws {
        let dir = try makeTemporaryFolder("bad")
        var path = dir + "/policy.yaml"
        let expected: String
        switch kind {
        case "directory":
            path = dir
            expected = "is a directory, not a policy file"
        case "not YAML":
            try "orgs: [unclosed\n  version: {".write(toFile: path, atomically: true, encoding: .utf8)
            expected = "not valid YAML"
        case "empty":
            try "".write(toFile: path, atomically: true, encoding: .utf8)
            expected = "the file is empty"
        case "10 MB":
            try Data(repeating: UInt8(ascii: "#"), count: 10_000_000).write(to: URL(fileURLWithPath: path))
            expected = "is larger than 1 MiB"
        default:
            var generator = SystemRandomNumberGenerator()
            try Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) } + [0])
                .write(to: URL(fileURLWithPath: path))
            expected = "is not a text file"
        }
        let r = try CommandRunner.run(["check", "--no-credentials", "--policy", path])
        #expect(r.status == 1, "\(r.all)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(lines.first?.hasPrefix(path) == true)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
    }

    @Test func jsonReportsValidityAndNoSecret() throws {
        let creds = try credentialsFolder()
        let r = try CommandRunner.run(["check", "--json", "--policy", Self.example], environment: ["CREDENTIALS_DIRECTORY": creds])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["valid"] as? Bool == true)
        let orgs = try #require(object["orgs"] as? [[String: Any]])
        #expect(orgs.map { $0["name"] as? String } == ["acme", "globex", "initech"])
        #expect(orgs.first?["max_age"] as? String == "9d")
        #expect(!r.all.contains(Self.secret) && !r.all.contains("s3cr3t"))

        let bad = try CommandRunner.run(["check", "--json", "--policy", "/nonexistent/policy.yaml"])
        #expect(bad.status == 1)
        let failed = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(failed["valid"] as? Bool == false)
        #expect((failed["errors"] as? [[String: Any]])?.first?["message"] as? String != nil)
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CommandRunner.run(["check", "--bogus"]).status == 64)
        #expect(try CommandRunner.run(["no-such-command"]).status == 64)
        #expect(try CommandRunner.run(["now", "--org"]).status == 64)
    }
}

/// `check` and the off-site and alert secrets: present, readable, the owner's only; restic installed.
@Suite("zoho-crm-backup check, secrets")
struct CheckOffsiteTests {
    /// A folder with acme's credentials (`creds`) and a policy of one org, acme, with `top`
    /// lines after `state_dir` and `org` lines under acme (indented by 4).
    static func acme(_ name: String, top: String = "", org: String) throws -> (policy: String, creds: String) {
        let dir = try makeTemporaryFolder(name)
        let creds = dir + "/creds"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: true)
        let json = #"{"client_id":"1000.IDacme","client_secret":"s3cr3t","refresh_token":"1000.token"}"#
        FileManager.default.createFile(atPath: creds + "/org_acme.json", contents: Data(json.utf8), attributes: [.posixPermissions: 0o600])
        let policy = dir + "/policy.yaml"
        try """
            version: 1
            state_dir: \(dir)/state
            \(top)orgs:
              acme:
                data_center: us
                credentials: acme
                schedule: none
                archive: { path: \(dir)/archive }
            \(org)
            """.write(toFile: policy, atomically: true, encoding: .utf8)
        return (policy, creds)
    }

    @Test("a missing or open password secret and a bad environment secret are located errors; a good one is named")
    func offsiteSecrets() throws {
        let (policy, creds) = try Self.acme("check-offsite", org: """
                offsite:
                  repository: "rest:https://backup:hunter2@rest.example.org/zoho"
                  password_secret: restic-acme
                  environment_secret: restic-env

            """)
        let env = ["CREDENTIALS_DIRECTORY": creds]
        var r = try CommandRunner.run(["check", "--policy", policy], environment: env)
        #expect(r.status == 1 && r.stderr.contains("\(policy):10:7: offsite.password_secret: org acme: no secret file 'restic-acme'"), "\(r.all)")
        #expect(r.stderr.contains("offsite.environment_secret: org acme: no secret file 'restic-env'") && !r.all.contains("hunter2"))

        FileManager.default.createFile(atPath: creds + "/org_restic-acme", contents: Data("pw\n".utf8), attributes: [.posixPermissions: 0o644])
        FileManager.default.createFile(atPath: creds + "/org_restic-env", contents: Data("RESTIC_PASSWORD=x\n".utf8), attributes: [.posixPermissions: 0o600])
        r = try CommandRunner.run(["check", "--policy", policy], environment: env)
        #expect(r.status == 1 && r.stderr.contains("org_restic-acme: is readable by group or others") && r.stderr.contains("chmod 600"), "\(r.all)")
        #expect(r.stderr.contains("org_restic-env:1: RESTIC_PASSWORD is set by the daemon itself"))

        chmod(creds + "/org_restic-acme", 0o600)
        try Data("AWS_ACCESS_KEY_ID=AKIA\n".utf8).write(to: URL(fileURLWithPath: creds + "/org_restic-env"))
        r = try CommandRunner.run(["check", "--policy", policy, "--json"], environment: env)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("org_restic-acme") && r.stdout.contains("backup:***@rest.example.org") && !r.all.contains("hunter2") && !r.all.contains("AKIA"))
    }

    @Test("notify and heartbeat secrets: a missing one is a located error naming org and destination; a URL read from one is checked and never printed")
    func notifySecrets() throws {
        let (policy, creds) = try Self.acme("check-notify", top: "heartbeat: { url_secret: hc-daemon, every: 5m }\n", org: """
                notify:
                  webhooks: [{ name: ops-slack, kind: slack, url_secret: slack-ops }]

            """)
        let env = ["CREDENTIALS_DIRECTORY": creds]
        var r = try CommandRunner.run(["check", "--policy", policy], environment: env)
        #expect(r.status == 1 && r.stderr.contains("notify: org acme, destination ops-slack") && r.stderr.contains("slack-ops"), "\(r.all)")
        #expect(r.stderr.contains("heartbeat: ") && r.stderr.contains("hc-daemon"), "\(r.all)")

        let token = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX"
        FileManager.default.createFile(atPath: creds + "/org_slack-ops", contents: Data("http://ops.example.org/hook\n".utf8), attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: creds + "/org_hc-daemon", contents: Data("https://hc-ping.com/0f1e2d3c\n".utf8), attributes: [.posixPermissions: 0o600])
        r = try CommandRunner.run(["check", "--policy", policy], environment: env)
        #expect(r.status == 1 && r.stderr.contains("destination ops-slack") && r.stderr.contains("https"), "plain http to another host is refused: \(r.all)")

        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: creds + "/org_slack-ops"))
        r = try CommandRunner.run(["check", "--policy", policy, "--json"], environment: env)
        #expect(r.status == 0 && r.stdout.contains("ops-slack (slack)"), "\(r.all)")
        #expect(!r.all.contains("XXXXsecretXXXX") && !r.all.contains("0f1e2d3c"), "no URL, no token: \(r.all)")
    }
}
