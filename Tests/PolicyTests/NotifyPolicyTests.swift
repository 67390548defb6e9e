import Foundation
import Policy
import Testing
import ZohoModel

/// `notify:` and `heartbeat:` in the policy.
@Suite("Notify policy")
struct NotifyPolicyTests {
    let loader = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)

    /// A policy of acme (with `notify` under it) and, for each of `others`, an org without one.
    func policy(_ notify: String, top: String = "", defaults: String = "", others: [String] = []) throws(PolicyError) -> Policy {
        try loader.parse("""
            version: 1
            \(top)
            \(defaults.isEmpty ? "" : "defaults:\n  notify:\n" + defaults)
            orgs:
            \((["acme"] + others).map(Self.org).joined())
            """.replacingOccurrences(of: "NOTIFY\n", with: notify.isEmpty ? "" : "    notify:\n" + notify), file: "policy.yaml")
    }

    /// An org's lines; acme's end with the place of its `notify`.
    static func org(_ name: String) -> String {
        "  \(name):\n    data_center: eu\n    credentials: \(name)\n    schedule: none\n    archive: { path: /srv/zoho/\(name) }\n" + (name == "acme" ? "NOTIFY\n" : "")
    }

    func problems(_ notify: String, top: String = "") -> [String] {
        do { _ = try policy(notify, top: top); return [] } catch { return error.diagnostics.map(\.description) }
    }

    @Test("an org overrides defaults.notify key by key: its own webhooks replace the defaults' list, the healthchecks check is inherited with its own {org}")
    func perOrgOverride() throws {
        let read = try policy("      webhooks: [{ name: acme-slack, kind: slack, url_secret: slack-acme, events: [backup_failed] }]\n", defaults: """
                healthchecks: { url_secret: "hc-{org}" }
                webhooks: [{ name: ops-json, kind: json, url: "https://ops.example.org/hooks/zoho" }]
            """, others: ["globex"])
        let acme = try #require(read.org("acme")?.notify)
        #expect(acme.webhooks.map(\.name) == ["acme-slack"] && acme.webhooks[0].events == [.backupFailed])
        #expect(acme.healthchecks?.url == .secret("hc-acme"))
        let globex = try #require(read.org("globex")?.notify)
        #expect(globex.webhooks.map(\.name) == ["ops-json"] && globex.healthchecks?.url == .secret("hc-globex"))
    }

    @Test("the issue's example: a healthchecks check per org ({org}), three webhooks, default events; the heartbeat")
    func reading() throws {
        let read = try policy("", top: "heartbeat: { url_secret: hc-daemon, every: 5m }", defaults: """
                healthchecks: { url_secret: "hc-{org}" }
                webhooks:
                  - { name: ops-slack, kind: slack, url_secret: slack-ops, events: [backup_failed, links_lost, backup_late, mass_change, offsite_failed] }
                  - { name: phone, kind: ntfy, url: "https://ntfy.example.org/zoho-backups", events: [backup_failed, backup_late] }
                  - { name: ops-json, kind: json, url: "https://ops.example.org/hooks/zoho" }
            """)
        #expect(read.heartbeat == HeartbeatPolicy(url: .secret("hc-daemon"), every: .seconds(300)))
        let notify = try #require(read.org("acme")?.notify)
        #expect(notify.healthchecks == NotifyDestination(name: "healthchecks", kind: .healthchecks, url: .secret("hc-acme"), events: AlertEvent.healthchecks))
        #expect(notify.webhooks.map(\.name) == ["ops-slack", "phone", "ops-json"])
        #expect(notify.webhooks[0].events == [.backupFailed, .linksLost, .backupLate, .massChange, .offsiteFailed] && notify.webhooks[0].url == .secret("slack-ops"))
        #expect(notify.webhooks[1].kind == .ntfy && notify.webhooks[1].url == .inline("https://ntfy.example.org/zoho-backups"))
        #expect(notify.webhooks[2].events == AlertEvent.webhookDefault && !notify.webhooks[2].events.contains(.backupArchived))
        #expect(try policy("").org("acme")?.notify == nil && (try policy("").heartbeat) == nil)
        #expect(try policy("      webhooks: [{ name: local, kind: json, url: \"http://127.0.0.1:9/hook\" }]\n").org("acme")?.notify?.webhooks.count == 1,
                "loopback http is allowed (tests, a local relay)")
    }

    @Test("mistakes are located errors", arguments: [
        ("      webhooks: [{ kind: slack, url: \"https://hooks.slack.com/x\" }]\n", "missing required key 'name'"),
        ("      webhooks: [{ name: a, url: \"https://x.example/\" }]\n", "missing required key 'kind'"),
        ("      webhooks: [{ name: a, kind: teams, url: \"https://x.example/\" }]\n", "'teams' is not a webhook kind"),
        ("      webhooks: [{ name: a, kind: json }]\n", "missing 'url' or 'url_secret'"),
        ("      webhooks: [{ name: a, kind: json, url: \"https://x.example/\", url_secret: s }]\n", "give url or url_secret, not both"),
        ("      webhooks: [{ name: a, kind: json, url: \"http://ops.example.org/\" }]\n", "must be https://"),
        ("      webhooks: [{ name: a, kind: json, url: \"https://user:pw@ops.example.org/\" }]\n", "must not carry a user or password"),
        ("      webhooks: [{ name: a, kind: json, url_secret: ../x }]\n", "url_secret: '../x' must be a name"),
        ("      webhooks: [{ name: a, kind: json, url: \"https://x.example/\", events: [backup_faild] }]\n", "did you mean 'backup_failed'?"),
        ("      webhooks: [{ name: a, kind: json, url: \"https://x.example/\", events: [] }]\n", "expected a list of events"),
        ("      webhooks: [{ name: a, kind: json, url: \"https://x.example/\" }, { name: a, kind: slack, url: \"https://y.example/\" }]\n", "two destinations are named 'a'"),
        ("      healthchecks: { url: \"https://hc-ping.com/x\", kind: slack }\n", "unknown key 'kind'"),
        ("      healthchecks: { url: \"https://hc-ping.com/x\", events: [mass_chnge] }\n", "did you mean 'mass_change'?"),
        ("      webhooks: { name: a }\n", "expected a list of webhooks"),
        ("      pagerduty: {}\n", "unknown key 'pagerduty'"),
    ])
    func mistakes(_ notify: String, expected: String) {
        let found = problems(notify)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
        #expect(found.allSatisfy { $0.hasPrefix("policy.yaml:") }, "located: \(found)")
    }

    @Test("notify.email: recipients, sender, events with the digest, sendmail and the digest's time; mistakes located")
    func email() throws {
        let read = try #require(try policy("""
                  email: { to: [ops@example.com, boss@example.org], from: zcb@backup1.example.com, events: [backup_failed, daily_digest], digest_at: "06:30" }
            """).org("acme")?.notify?.email)
        #expect(read.kind == .email && read.name == "email" && read.events == [.backupFailed, .dailyDigest])
        #expect(read.email == EmailTarget(to: ["ops@example.com", "boss@example.org"], from: "zcb@backup1.example.com", sendmail: "/usr/sbin/sendmail", digestMinute: 390))
        let single = try #require(try policy("      email: { to: ops@example.com, from: zcb@example.com, sendmail: /usr/bin/msmtp }\n").org("acme")?.notify?.email)
        #expect(single.email?.to == ["ops@example.com"] && single.email?.sendmail == "/usr/bin/msmtp" && !single.events.contains(.dailyDigest))
        let timed = try #require(try policy("      email: { to: ops@example.com, from: zcb@example.com, digest_at: \"08:15\" }\n").org("acme")?.notify?.email)
        #expect(timed.events.contains(.dailyDigest) && timed.email?.digestMinute == 495, "a digest time alone asks for the digest")
        for (yaml, expected) in [
            ("      email: { from: zcb@example.com }\n", "missing required key 'to'"),
            ("      email: { to: ops@example.com }\n", "missing required key 'from'"),
            ("      email: { to: \"Ops <ops@example.com>\", from: zcb@example.com }\n", "is not a plain mail address"),
            ("      email: { to: \"ops@example.com\\nBcc: x@y.z\", from: zcb@example.com }\n", "is not a plain mail address"),
            ("      email: { to: ops@example.com, from: zcb@example.com, digest_at: \"7am\" }\n", "digest_at: '7am' is not a time of day"),
            ("      email: { to: ops@example.com, from: zcb@example.com, sendmail: msmtp }\n", "notify.email.sendmail: must be an absolute path"),
            ("      email: { to: { a: ops@example.com }, from: zcb@example.com }\n", "notify.email.to: give one address or a list"),
            ("      email: { to: ops@example.com, from: zcb@example.com, digest_at: \"+7:00\" }\n", "is not a time of day"),
            ("      email: { to: ops@example.com, from: zcb@example.com, events: [backup_failed], digest_at: \"07:00\" }\n", "the events do not include daily_digest"),
            ("      webhooks: [{ name: a, kind: email, url: \"https://x.example/\" }]\n", "'email' is not a webhook kind"),
        ] {
            let found = problems(yaml)
            #expect(found.contains { $0.contains(expected) }, "\(yaml): \(found)")
        }
    }

    @Test("heartbeat mistakes", arguments: [
        ("heartbeat: { every: 5m }", "heartbeat: missing 'url' or 'url_secret'"),
        ("heartbeat: { url: \"https://hc-ping.com/x\", every: 10s }", "heartbeat.every"),
        ("heartbeat: { url: \"ftp://hc-ping.com/x\" }", "heartbeat.url: must be https://"),
    ])
    func heartbeatMistakes(_ top: String, expected: String) {
        let found = problems("", top: top)
        #expect(found.contains { $0.contains(expected) }, "\(found)")
    }

    @Test("a URL secret: one URL, checked like an inline one; never quoted in the error")
    func urlSecret() throws {
        let folder = NSTemporaryDirectory() + "zcb-notify-secret-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let secrets = SecretLookup(environment: [:], directory: folder)
        FileManager.default.createFile(atPath: folder + "/slack", contents: Data("https://hooks.slack.com/services/T0/B0/tok3n\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(try URLSource.secret("slack").resolve(secrets) == "https://hooks.slack.com/services/T0/B0/tok3n")
        FileManager.default.createFile(atPath: folder + "/bad", contents: Data("http://hooks.example.com/tok3n\n".utf8), attributes: [.posixPermissions: 0o600])
        do {
            _ = try URLSource.secret("bad").resolve(secrets)
            Issue.record("an http URL to a remote host is refused")
        } catch {
            #expect(error.description.contains("must be https://") && !error.description.contains("tok3n"))
        }
    }
}
