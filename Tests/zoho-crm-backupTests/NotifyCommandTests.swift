import Foundation
import Glibc
import TestSupport
import Testing

/// Alerts as an admin meets them, with the real binary: `notify test` against a loopback
/// receiver, and the daemon SIGKILLed while a destination holds its alert — delivered after
/// the restart.
@Suite("Notify commands and crashes", .serialized)
struct NotifyCommandTests {
    /// The setup with a `notify:` of three destinations (healthchecks by secret, a JSON
    /// webhook, a Slack webhook at `slack`) and a `heartbeat:`.
    static func setup(_ sim: SimulatorProcess, receiver: AlertReceiver, slack: String) throws -> DaemonSetup {
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        FileManager.default.createFile(atPath: setup.credentials + "/hc-acme", contents: Data((receiver.url("/hc/uuid") + "\n").utf8),
                                       attributes: [.posixPermissions: 0o600])
        let text = try String(contentsOfFile: setup.policy, encoding: .utf8)
        try ("heartbeat: { url: \"\(receiver.url("/beat"))\", every: 1m }\n" + text + """
                notify:
                  healthchecks: { url_secret: hc-acme }
                  webhooks:
                    - { name: ops-json, kind: json, url: "\(receiver.url("/json"))" }
                    - { name: ops-slack, kind: slack, url: "\(slack)" }

            """).write(toFile: setup.policy, atomically: true, encoding: .utf8)
        return setup
    }

    @Test("notify test: each destination and the heartbeat told, what each answered printed; a dead one named, exit 1; --destination picks one")
    func notifyTest() throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try Self.setup(sim, receiver: receiver, slack: "http://127.0.0.1:9/slack")   // port 9: nothing listens

        let all = try CommandRunner.run(["notify", "test", "--policy", setup.policy], environment: setup.environment)
        #expect(all.status == 1, "\(all.all)")
        #expect(all.stdout.contains("acme/healthchecks (healthchecks): delivered — HTTP 200"))
        #expect(all.stdout.contains("acme/ops-json (json): delivered — HTTP 200"))
        #expect(all.stdout.contains("acme/ops-slack (slack): FAILED — the connection was refused"), "\(all.all)")
        #expect(all.stdout.contains("heartbeat (healthchecks): delivered"))
        #expect(Set(receiver.requests.map(\.path)) == ["/hc/uuid/log", "/json", "/beat/log"], "healthchecks' tests go to /log, not a success ping")
        let document = try #require(receiver.requests.first { $0.path == "/json" }?.json)
        #expect(document["test"] as? Bool == true && document["org"] as? String == "acme")
        try SchemaCheck.validate(receiver.requests.filter { $0.path == "/json" }.map(\.body))

        let one = try CommandRunner.run(["notify", "test", "--policy", setup.policy, "--destination", "ops-json", "--json"], environment: setup.environment)
        #expect(one.status == 0, "\(one.all)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["destination"] as? String == "acme/ops-json" && rows[0]["delivered"] as? Bool == true)
        #expect(!one.stdout.contains(receiver.url("/json")), "no URL in the output: they carry tokens")
    }

    @Test("the daemon SIGKILLed while a destination holds its alert: the alert is in the outbox, and the restarted daemon delivers it")
    func killedWhileSending() throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try Self.setup(sim, receiver: receiver, slack: receiver.url("/slack"))
        receiver.delay = 30   // holds every request: the daemon is killed while it waits

        let first = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/first.log")
        #expect(eventually(timeout: 20) { receiver.requests.contains { $0.path == "/json" } }, "\(first.log)")
        let outbox = setup.folder + "/state/outbox"
        let waiting = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix("delivery") }
        #expect(!waiting.isEmpty, "daemon_started is in the outbox while its delivery hangs")
        first.signal(SIGKILL)
        first.waitForExit(timeout: 10)

        receiver.delay = 0
        let second = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/second.log")
        defer { _ = second.stop() }
        // The first start's message and the second's go as one (the rate limit), "and 1 more".
        #expect(eventually(timeout: 20) {
            receiver.requests.contains { $0.path == "/json" && $0.json?["event"] as? String == "daemon_started" && $0.json?["folded"] as? Int == 1 }
        }, "\(receiver.requests.map { "\($0.path) \($0.text)" }) \(second.log)")
        #expect(eventually(timeout: 10) { ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix("delivery") }.isEmpty })
        #expect(receiver.requests.contains { $0.path == "/beat" }, "the heartbeat is pinged while the daemon runs")
    }

    @Test("a setgid sendmail: the daemon says at start that e-mail alerts cannot be sent, and what to do; check fails naming it",
          .enabled(if: getuid() == 0, "setting the setgid bit on a file of another group needs root"))
    func setgidSendmailAtStart() throws {
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        let sendmail = setup.folder + "/sendmail"
        try Data("#!/bin/sh\ncat >/dev/null\n".utf8).write(to: URL(fileURLWithPath: sendmail))
        chmod(sendmail, 0o2755)
        let text = try String(contentsOfFile: setup.policy, encoding: .utf8)
        try (text + "    notify:\n      email: { to: ops@example.com, from: zcb@example.com, sendmail: \(sendmail) }\n")
            .write(toFile: setup.policy, atomically: true, encoding: .utf8)
        let checked = try CommandRunner.run(["check", "--policy", setup.policy], environment: setup.environment)
        #expect(checked.status == 1 && checked.all.contains("setuid or setgid") && checked.all.contains("msmtp-mta"), "\(checked.all)")
        let daemon = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/daemon.log")
        #expect(eventually(timeout: 20) { daemon.log.contains("alerts by e-mail (notify.email) cannot be sent") }, "\(daemon.log)")
        #expect(daemon.log.contains("NoNewPrivileges=") && daemon.log.contains("apt install msmtp-mta"))
        #expect(daemon.stop())
    }
}
