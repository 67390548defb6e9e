import Foundation
import Notify
import Policy
import Supervisor
import Systemd
import Testing
import TestSupport
import ZohoModel

/// Alerts from the engine: decided with the journal's entries, written to the outbox in the
/// cycle, delivered by the sender to a loopback receiver that records every request.
@Suite("Alerts from the daemon", .serialized)
struct AlertsTests {
    static func org(_ receiver: AlertReceiver, extra: [String] = []) -> SupervisorHarness.Org {
        SupervisorHarness.Org(name: "acme", schedule: OffsiteCopyTests.fridays, extra: [
            "notify:",
            "  healthchecks: { url_secret: hc-acme }",
            "  webhooks:",
            "    - { name: ops-json, kind: json, url: \"\(receiver.url("/json"))\", events: [\(AlertEvent.allCases.map(\.rawValue).joined(separator: ", "))] }",
            "    - { name: ops-slack, kind: slack, url: \"\(receiver.url("/slack"))\" }",
        ] + extra, keep: "{ last: 4, weekly: 0, monthly: 0, yearly: 0 }")
    }

    @Test("a backup archived: the success ping, the JSON documents with job and MESSAGE_ID; nothing sent in the cycle itself; a restarted daemon sends nothing twice; the daemon's events once per destination")
    func archived() async throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        try await SupervisorHarness.run([Self.org(receiver)], configure: OffsiteCopyTests.simulator) { h in
            try AtomicFile.write(Data((receiver.url("/hc/ping-uuid") + "\n").utf8), to: h.folder + "/credentials/hc-acme", permissions: 0o600)
            let recorder = LogRecorder()
            let supervisor = Supervisor(policy: try h.policy(), environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            #expect(receiver.requests.isEmpty, "the cycle only writes the outbox; the sender delivers")
            let outbox = Outbox(folder: h.stateDir + "/outbox")
            #expect(outbox.entries().entries.count == 2)

            await supervisor.deliverAlerts()
            let pings = receiver.requests.filter { $0.path.hasPrefix("/hc/") }.map { "\($0.method) \($0.path)" }
            // Both decided in one cycle before the sender ran: the check is told the newest state alone.
            #expect(pings == ["POST /hc/ping-uuid"], "\(pings)")
            let documents = receiver.requests.filter { $0.path == "/json" }.compactMap(\.json)
            #expect(documents.map { $0["event"] as? String } == ["backup_started", "backup_archived"])
            let archived = try #require(documents.last)
            #expect(archived["org"] as? String == "acme" && (archived["job_id"] as? String)?.isEmpty == false)
            #expect(archived["message_id"] as? String == MessageID.backupArchived.rawValue && (archived["message"] as? String)?.hasPrefix("archived backup") == true)
            #expect(documents.first?["message_id"] as? String == MessageID.downloadStarted.rawValue, "each alert carries its journal entry's MESSAGE_ID")
            #expect(recorder.all().contains { $0.metadata["message_id"] == MessageID.downloadStarted.rawValue && $0.level == .info })
            #expect(receiver.requests.filter { $0.path == "/slack" }.isEmpty, "Slack takes neither by default")
            #expect(outbox.entries().entries.isEmpty)

            // Restarted: the outbox is empty, nothing goes twice.
            let again = Supervisor(policy: try h.policy(), environment: h.environment(logger: recorder.logger))
            await again.deliverAlerts()
            #expect(receiver.requests.count == 3)

            // The daemon's own events go once to each destination that takes them (not healthchecks).
            await again.postDaemonEvent(started: false)
            await again.deliverAlerts()
            let stopping = receiver.requests.filter { $0.text.contains("stopping") }
            #expect(Set(stopping.map(\.path)) == ["/json", "/slack"] && stopping.count == 2)
            #expect(stopping.first { $0.path == "/json" }?.json?["org"] is NSNull)
            #expect(stopping.first { $0.path == "/json" }?.json?["message_id"] as? String == MessageID.daemonStopping.rawValue)
            try SchemaCheck.validate(receiver.requests.filter { $0.path == "/json" }.map(\.body))
        }
    }

    @Test("an off-site copy failing: offsite_failed to Slack with the fix; the same error again within the hour is neither logged nor sent again")
    func offsiteFailed() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        let org = Self.org(receiver, extra: ["offsite: { repository: REPO, password_secret: acme-restic }"])
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            try AtomicFile.write(Data((receiver.url("/hc/x") + "\n").utf8), to: h.folder + "/credentials/hc-acme", permissions: 0o600)
            let policy = try OffsiteCopyTests.policy(h)
            let supervisor = Supervisor(policy: policy, environment: h.environment())
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.deliverAlerts()
            let before = receiver.requests.count
            _ = await supervisor.copyOffsite(repository: OffsiteCopyTests.repository(h))
            h.clock.advance(by: .seconds(120))
            _ = await supervisor.copyOffsite(repository: OffsiteCopyTests.repository(h))
            await supervisor.deliverAlerts()
            let sent = receiver.requests.dropFirst(before)
            let slack = sent.filter { $0.path == "/slack" }
            #expect(slack.count == 1, "\(sent.map(\.path))")
            let text = try #require(slack.first?.json?["text"] as? String)
            #expect(text.contains("acme: offsite failed") && text.contains("zoho-crm-backup offsite init"))
            #expect(sent.filter { $0.path == "/json" }.compactMap { $0.json?["event"] as? String } == ["offsite_failed"])
        }
    }

    @Test("a receiver that does not answer: the sender waits on it while cycles go on and the backup is archived; it times out and retries")
    func slowReceiver() async throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        receiver.delay = 30
        try await SupervisorHarness.run([Self.org(receiver)], configure: OffsiteCopyTests.simulator) { h in
            try AtomicFile.write(Data((receiver.url("/hc/uuid") + "\n").utf8), to: h.folder + "/credentials/hc-acme", permissions: 0o600)
            var environment = h.environment()
            environment.alertTimeout = .seconds(3)
            let supervisor = Supervisor(policy: try h.policy(), environment: environment)
            await supervisor.postDaemonEvent(started: true)
            let delivering = Task { await supervisor.deliverAlerts() }
            #expect(await eventuallyTrue { receiver.requests.count >= 1 }, "the sender is waiting on the receiver")
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            #expect(!receiver.requests.contains { $0.text.contains("archived backup") }, "archived while the sender still waits")
            let next = await delivering.value
            #expect(next != nil, "timed out: retried later")
            #expect(Outbox(folder: h.stateDir + "/outbox").entries().entries.count >= 3, "nothing lost: daemon_started, backup_started, backup_archived wait")
        }
    }

    @Test("the daily digest by e-mail at digest_at: one mail for two orgs sharing the address — each org's newest backup and age, the off-site lag and its failure as an alarm; once a day; not at the first start")
    func digest() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let mail = "  email: { to: ops@example.com, from: zcb@example.com, sendmail: SENDMAIL, events: [daily_digest], digest_at: \"07:00\" }"
        let acme = SupervisorHarness.Org(name: "acme", schedule: OffsiteCopyTests.fridays, extra: [
            "notify:", mail, "offsite: { repository: REPO, password_secret: acme-restic }",
        ], keep: "{ last: 4, weekly: 0, monthly: 0, yearly: 0 }")
        let beta = SupervisorHarness.Org(name: "beta", schedule: "unmanaged", extra: ["notify:", mail])
        try await SupervisorHarness.run([acme, beta], configure: OffsiteCopyTests.simulator) { h in
            let sendmail = h.folder + "/sendmail"
            try Data("#!/bin/sh\ncat >> \(h.folder)/mails\necho '<<end>>' >> \(h.folder)/mails\n".utf8).write(to: URL(fileURLWithPath: sendmail))
            chmod(sendmail, 0o755)
            try OffsiteCopyTests.write(h, password: "correct horse")
            let utc = PolicyLoader(environment: [:], systemTimeZone: TimeZone(identifier: "UTC")!)
            let text = h.policyText().replacingOccurrences(of: "SENDMAIL", with: sendmail).replacingOccurrences(of: "REPO", with: OffsiteCopyTests.repository(h))
            let policy = try utc.parse(text, file: h.folder + "/policy.yaml")
            let supervisor = Supervisor(policy: policy, environment: h.environment(), loader: utc)
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            _ = await supervisor.copyOffsite(repository: OffsiteCopyTests.repository(h))   // no repository there: the copy fails
            func mails() -> [String] {
                ((try? String(contentsOfFile: h.folder + "/mails", encoding: .utf8)) ?? "").components(separatedBy: "<<end>>\n").filter { !$0.isEmpty }
            }
            await supervisor.digestIfDue()
            await supervisor.deliverAlerts()
            #expect(mails().isEmpty, "the first start records the time; the digest comes at the next 07:00")
            h.clock.advance(by: .seconds(86_400))
            await supervisor.digestIfDue()
            await supervisor.deliverAlerts()
            #expect(mails().count == 1, "one mail for the address both orgs name")
            let digest = try #require(mails().first)
            #expect(digest.contains("Subject: [zoho-crm-backup] ") && digest.contains("daily digest") && digest.contains("To: ops@example.com"))
            #expect(digest.contains("2 orgs, ALARM for acme"), "\(digest)")
            #expect(digest.contains("acme:\n  newest backup ") && digest.contains(" old"), "\(digest)")
            #expect(digest.contains("  off-site: 1 backup not yet copied\n") && digest.contains("  ALARM: off-site copies fail: "), "\(digest)")
            #expect(digest.contains("beta:\n  no backup archived yet"), "\(digest)")
            await supervisor.digestIfDue()
            await supervisor.deliverAlerts()
            #expect(mails().count == 1, "once a day")
        }
    }

    @Test("the heartbeat: pinged from the supervisor's own loop every `every` (not more often); a failed ping is one warning, the next ping simply goes, a notice when one gets through again")
    func heartbeat() async throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        let org = SupervisorHarness.Org(name: "acme", schedule: "unmanaged")
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            let text = "heartbeat: { url: \"\(receiver.url("/beat"))\", every: 2m }\n" + h.policyText()
            let recorder = LogRecorder()
            var environment = h.environment(logger: recorder.logger)
            environment.alertTimeout = .seconds(3)   // a refused connection is retried by the HTTP client until the timeout
            let supervisor = Supervisor(policy: try PolicyLoader(environment: [:]).parse(text, file: h.folder + "/policy.yaml"), environment: environment)
            func beats() -> Int { receiver.requests.filter { $0.path == "/beat" && $0.method == "POST" }.count }
            func warnings() -> [String] { recorder.all().filter { $0.message.contains("heartbeat ping") }.map(\.message) }
            func tick(after seconds: Int64) async {
                h.clock.advance(by: .seconds(seconds))
                await supervisor.heartbeatTick()
                for _ in 0..<500 where await !supervisor.heartbeatIdle { try? await Task.sleep(for: .milliseconds(20)) }
            }

            await tick(after: 0)
            #expect(beats() == 1, "the first turn pings")
            await tick(after: 60)
            #expect(beats() == 1, "not before `every`")
            await tick(after: 61)
            #expect(beats() == 2)

            receiver.stop()
            await tick(after: 121)
            await tick(after: 121)
            #expect(warnings().count == 1 && warnings()[0].contains("the connection was refused") && !warnings()[0].contains("127.0.0.1"), "\(warnings())")
            try receiver.start()
            await tick(after: 121)
            #expect(beats() == 3 && warnings().count == 2 && warnings()[1].contains("gets through again"), "\(warnings())")
        }
    }

    @Test("an idle daemon rewrites the metrics textfile at least every metricsRefresh (its age is the Prometheus rules' 'daemon silent'), and not at every turn")
    func textfileRefreshedWhileIdle() async throws {
        let org = SupervisorHarness.Org(name: "acme", schedule: "unmanaged")
        try await SupervisorHarness.run([org]) { h in
            let textfile = h.folder + "/metrics/zoho_crm_backup.prom"
            try FileManager.default.createDirectory(atPath: h.folder + "/metrics", withIntermediateDirectories: true)
            var environment = h.environment()
            environment.metricsRefresh = .seconds(2)   // long enough for two turns in a row even on a loaded machine
            let supervisor = Supervisor(policy: try PolicyLoader(environment: [:]).parse(h.policyText(metrics: textfile), file: h.folder + "/policy.yaml"),
                                        environment: environment)
            func written() -> Date? { (try? FileManager.default.attributesOfItem(atPath: textfile))?[.modificationDate] as? Date }
            await supervisor.heartbeatTick()
            let first = try #require(written(), "written at the first turn")
            await supervisor.heartbeatTick()
            #expect(written() == first, "not rewritten at every turn")
            try await Task.sleep(for: .milliseconds(2_200))
            await supervisor.heartbeatTick()
            #expect((written() ?? first) > first, "rewritten once the interval passed, with no cycle in between")
        }
    }

    /// Polls `condition` for up to 10 s.
    func eventuallyTrue(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<200 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
