import Foundation
import Policy
import Testing
import ZohoModel

/// `offsite:` in the policy, and the secrets it names.
@Suite("Off-site policy and secrets")
struct OffsitePolicyTests {
    let loader = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)

    func policy(_ offsite: String, defaults: String = "") throws(PolicyError) -> Policy {
        try loader.parse("""
            version: 1
            \(defaults.isEmpty ? "" : "defaults:\n  offsite:\n" + defaults)
            orgs:
              acme:
                data_center: eu
                credentials: acme
                schedule: none
                archive: { path: /srv/zoho/acme }
            \(offsite.isEmpty ? "" : "    offsite:\n" + offsite)
            """, file: "policy.yaml")
    }

    func problems(_ offsite: String) -> [String] {
        do { _ = try policy(offsite); return [] } catch { return error.diagnostics.map(\.description) }
    }

    @Test("every key read; keep, check and required have defaults; {org} in an inherited secret name")
    func reading() throws {
        let full = try #require(try policy("""
                  repository: s3:https://s3.example.com/bucket/zoho
                  password_secret: acme-restic
                  environment_secret: acme-s3
                  keep: { last: 3 }
                  check: { every: 14d, read_data_subset: 2.5% }
                  required: true
                  restic: /opt/restic/bin/restic
            """).org("acme")?.offsite)
        #expect(full.repository == "s3:https://s3.example.com/bucket/zoho" && full.passwordSecret == "acme-restic" && full.environmentSecret == "acme-s3")
        #expect(full.keep == RetentionCounts(last: 3, weekly: 26, monthly: 36, yearly: 7), "unset counts keep the off-site defaults")
        #expect(full.check.every == .seconds(14 * 86_400) && abs(full.check.readDataSubset - 0.025) < 1e-9 && full.required && full.restic == "/opt/restic/bin/restic")
        let inherited = try #require(try policy("", defaults: "    repository: /mnt/nas/restic\n    password_secret: restic-{org}\n").org("acme")?.offsite)
        #expect(inherited.passwordSecret == "restic-acme" && inherited.localPath == "/mnt/nas/restic" && !inherited.required)
        #expect(inherited.keep == OffsitePolicy.defaultKeep && inherited.check == .default)
        #expect(try policy("").org("acme")?.offsite == nil)
    }

    @Test("mistakes are located errors", arguments: [
        ("      password_secret: x\n", ":10:7: offsite: missing required key 'repository'"),
        ("      repository: restic/here\n      password_secret: x\n", "is neither an absolute folder nor a restic repository"),
        ("      repository: ftp://x\n      password_secret: x\n", "is neither an absolute folder nor a restic repository"),
        ("      repository: /srv/zoho/acme/restic\n      password_secret: x\n", "overlaps org acme's archive"),
        ("      repository: /mnt/../etc\n      password_secret: x\n", "without '.' or '..'"),
        ("      repository: /mnt/r\n      password_secret: ../etc/shadow\n", "offsite.password_secret: '../etc/shadow' must be a name"),
        ("      repository: /mnt/r\n      password_secret: x\n      keep: { last: 0, weekly: 0, monthly: 0, yearly: 0 }\n", "offsite.keep: every count is 0"),
        ("      repository: /mnt/r\n      password_secret: x\n      check: { read_data_subset: off }\n", "offsite.check.read_data_subset: 'off' is not a percentage"),
        ("      repository: /mnt/r\n      password_secret: x\n      requird: true\n", "did you mean 'required'?"),
        ("      repository: /mnt/r\n      password_secret: x\n      restic: bin/restic\n", "offsite.restic: must be an absolute path"),
    ])
    func mistakes(offsite: String, expected: String) {
        let found = problems(offsite)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
    }

    @Test("a password in a repository URL is never shown")
    func redacted() {
        #expect(OffsitePolicy.redacted("rest:https://backup:hunter2@host:8000/acme") == "rest:https://backup:***@host:8000/acme")
        #expect(OffsitePolicy.redacted("sftp:user@host:/srv/restic") == "sftp:user@host:/srv/restic")
        #expect(OffsitePolicy.redacted("rest:https://backup:p@ss@host/acme@x") == "rest:https://backup:***@host/acme@x", "a password with @ in it")
        let found = problems("      repository: ftp://u:hunter2@host/x\n      password_secret: x\n")
        #expect(!found.joined().contains("hunter2") && !found.isEmpty)
    }

    @Test("secrets are found in the credentials' places and order, without .json, and must be the owner's only")
    func secretLookup() throws {
        let root = NSTemporaryDirectory() + "zcb-secret-\(UUID().uuidString.prefix(8))"
        let etc = root + "/etc", run = root + "/run"
        for dir in [etc, run] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ path: String, _ text: String, mode: Int = 0o600) {
            FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        }
        let lookup = SecretLookup(environment: ["CREDENTIALS_DIRECTORY": run], directory: etc)
        #expect(lookup.candidates(for: "acme-restic") == ["\(run)/org_acme-restic", "\(run)/acme-restic", "\(etc)/acme-restic"])
        #expect(throws: CredentialsError.self) { try lookup.load("acme-restic", purpose: "the repository password of org acme") }
        write(etc + "/acme-restic", "from etc\n")
        #expect(try lookup.load("acme-restic").text == "from etc")
        write(run + "/org_acme-restic", "from systemd\n")
        let secret = try lookup.load("acme-restic")
        #expect(secret.text == "from systemd" && secret.path == run + "/org_acme-restic" && !"\(secret)".contains("from systemd"))
        write(etc + "/open", "hunter2-never-shown", mode: 0o644)
        do { _ = try lookup.load("open"); Issue.record("a world-readable secret was read") } catch {
            #expect(error.code == .tooOpen && error.message.contains("chmod 600") && !error.message.contains("hunter2"))
        }
    }

    @Test("an environment secret is KEY=VALUE lines for restic; the daemon's own variables cannot be overridden")
    func environmentSecret() throws {
        let text = "# S3\nAWS_ACCESS_KEY_ID=AKIA123\nexport AWS_SECRET_ACCESS_KEY=\"s3cr3t=x\"\n\nRCLONE_CONFIG='/etc/zoho-crm-backup/rclone.conf'\n"
        let parsed = try EnvironmentSecret.parse(Secret(name: "s3", path: "/x/s3", data: Data(text.utf8)))
        #expect(parsed == ["AWS_ACCESS_KEY_ID": "AKIA123", "AWS_SECRET_ACCESS_KEY": "s3cr3t=x", "RCLONE_CONFIG": "/etc/zoho-crm-backup/rclone.conf"])
        for (bad, expected) in [("RESTIC_PASSWORD=x", "/x/s3:1: RESTIC_PASSWORD is set by the daemon"), ("A=1\nnot a line", "/x/s3:2: expected KEY=VALUE"),
                                ("1X=2", "is not a variable name")] {
            do { _ = try EnvironmentSecret.parse(Secret(name: "s3", path: "/x/s3", data: Data(bad.utf8))); Issue.record("\(bad) accepted") } catch {
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }
}
