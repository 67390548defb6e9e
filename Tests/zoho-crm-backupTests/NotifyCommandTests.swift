import Foundation
import Glibc
import TestSupport
import Testing

/// Alerts as an admin meets them, with the real binary: `notify test` against a loopback
/// receiver, and the daemon SIGKILLed while a destination is down and while it holds the
/// retry — delivered after the restart.
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

        let checked = try CommandRunner.run(["check", "--policy", setup.policy, "--json"], environment: setup.environment)
        #expect(!checked.all.contains(receiver.url("/")) && !checked.all.contains("/hc/uuid"), "check --json names destinations, never their URLs: \(checked.all)")

        // --org: that org's destinations, without the daemon's heartbeat; an org not in the policy is named.
        let before = receiver.requests.count
        let org = try CommandRunner.run(["notify", "test", "--policy", setup.policy, "--org", "acme"], environment: setup.environment)
        #expect(org.status == 1 && org.stdout.contains("acme/ops-json (json): delivered") && !org.stdout.contains("heartbeat"), "\(org.all)")
        #expect(!receiver.requests.dropFirst(before).contains { $0.path.hasPrefix("/beat") })
        let unknown = try CommandRunner.run(["notify", "test", "--policy", setup.policy, "--org", "nosuch"], environment: setup.environment)
        #expect(unknown.status != 0 && unknown.all.contains("nosuch"), "\(unknown.all)")
    }

    @Test("the receiver down, the daemon SIGKILLed; then SIGKILLed again while the receiver holds the retry: the restarted daemon delivers every alert, none lost")
    func killedWhileDownAndWhileSending() throws {
        let receiver = try AlertReceiver()
        defer { receiver.stop() }
        let sim = try SimulatorProcess(jobDuration: "1s")
        defer { sim.stop() }
        let setup = try Self.setup(sim, receiver: receiver, slack: receiver.url("/slack"))
        let outbox = setup.folder + "/state/outbox"
        func waiting() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter { $0.hasSuffix(".json") && !$0.hasPrefix("delivery") }
        }

        // 1. Down: refused, kept in the outbox, retried later (30 s) — and the daemon killed meanwhile.
        receiver.stop()
        let first = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/first.log")
        #expect(eventually(timeout: 40) { first.log.contains("could not be delivered to acme/ops-json (json): the connection was refused") }, "\(first.log)")
        #expect(!first.log.contains(receiver.url("/json")), "the URL is never logged")
        let before = waiting()
        #expect(!before.isEmpty, "daemon_started is in the outbox")
        // Killed once the pass has saved the backoff (a kill before that only makes the retry sooner).
        #expect(eventually(timeout: 20) { (try? String(contentsOfFile: outbox + "/delivery-state.json", encoding: .utf8))?.contains("ops-json") == true })
        first.signal(SIGKILL)
        first.waitForExit(timeout: 10)

        // 2. Back, but holding every request: the restarted daemon retries when the backoff ends and is killed mid-request.
        try receiver.start()
        receiver.delay = 60
        let second = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/second.log")
        #expect(eventually(timeout: 60) { receiver.requests.contains { $0.path == "/json" } }, "retried after the backoff the first daemon recorded: \(second.log)")
        #expect(Set(before).isSubset(of: Set(waiting())), "nothing leaves the outbox before it is delivered")
        second.signal(SIGKILL)
        second.waitForExit(timeout: 10)

        // 3. Answering: everything goes, the three starts as one message "and 2 more" (the rate limit).
        receiver.delay = 0
        let third = try DaemonProcess(policy: setup.policy, environment: setup.environment, logPath: setup.folder + "/third.log")
        defer { _ = third.stop() }
        #expect(eventually(timeout: 30) {
            receiver.requests.contains { $0.path == "/json" && $0.json?["event"] as? String == "daemon_started" && $0.json?["folded"] as? Int == 2 }
        }, "\(receiver.requests.map { "\($0.path) \($0.text)" }) \(third.log)")
        #expect(receiver.requests.contains { $0.path == "/slack" && $0.text.contains("and 2 more") })
        #expect(eventually(timeout: 10) { waiting().isEmpty })
        #expect(eventually(timeout: 10) { third.log.contains("alerts reach acme/ops-json (json) again") }, "\(third.log)")
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
