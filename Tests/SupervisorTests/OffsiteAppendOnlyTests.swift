import Foundation
import Offsite
import Policy
import Supervisor
import Systemd
import Testing
import TestSupport
import ZohoModel

/// An append-only repository — `rclone serve restic --append-only` on loopback (Debian's
/// rclone): copies succeed, retention is found refused by one probe (not restic's 44-second
/// retry loop) and reported once, never a failure every cycle.
@Suite("Off-site, append-only", .serialized)
struct OffsiteAppendOnlyTests {
    /// `rclone serve restic --append-only` on a free loopback port, until `body` ends.
    static func withAppendOnlyServer<T>(_ folder: String, _ body: (String) async throws -> T) async throws -> T {
        let rclone = try #require(["/usr/bin/rclone", "/usr/local/bin/rclone"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                  "make deps installs rclone")
        var lastError = ""
        for _ in 0..<5 {
            let port = Int.random(in: 20_000...40_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: rclone)
            process.arguments = ["serve", "restic", "--append-only", "--addr", "127.0.0.1:\(port)", folder]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { LoopbackServer.stop(process) }
            guard await LoopbackServer.waitUntilAnswering("http://127.0.0.1:\(port)/", process: process) else { lastError = "rclone did not listen on \(port)"; continue }
            return try await body("rest:http://127.0.0.1:\(port)/acme")
        }
        throw HarnessError(description: lastError)
    }

    @Test("copies go in; forget is refused once and remembered (reported once, not a failure); nothing waits 44 s")
    func appendOnly() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let org = OffsiteCopyTests.org(keep: "{ last: 4, weekly: 0, monthly: 0, yearly: 0 }", offsiteKeep: "{ last: 1, weekly: 0, monthly: 0, yearly: 0 }")
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            try FileManager.default.createDirectory(atPath: h.folder + "/served", withIntermediateDirectories: true)
            try await Self.withAppendOnlyServer(h.folder + "/served") { repository in
                try OffsiteCopyTests.write(h, password: "correct horse")
                let made = try await ResticFixture.run(["init"], repository: repository, passwordFile: OffsiteCopyTests.passwordFile(h))
                try #require(made.status == 0, "\(made.all)")
                let text = h.policyText().replacingOccurrences(of: "REPO", with: repository)
                let policy = try PolicyLoader(environment: [:]).parse(text, file: h.folder + "/policy.yaml")
                let recorder = LogRecorder()
                let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
                try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
                await supervisor.copyOffsiteUntilIdle()
                let listed = try await ResticFixture.run(["snapshots", "--json", "--no-lock"], repository: repository, passwordFile: OffsiteCopyTests.passwordFile(h))
                #expect((try JSONDecoder().decode([ResticSnapshot]?.self, from: Data(listed.stdout.utf8)) ?? []).count == 2, "both copied, none forgotten")
                func notices() -> [LogRecorder.Entry] { recorder.all().filter { $0.message.contains("is append-only") } }
                #expect(notices().count == 1 && notices().first?.level == .notice && notices().first?.message.contains("belong to the repository's owner") == true)
                #expect(notices().first?.message.contains("test DELETE with 403") == true, "found by the probe, not by restic's 44-second retry loop")
                #expect(!recorder.all().contains { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue }, "not a failure")

                h.clock.advance(by: .seconds(2 * 86_400))
                await supervisor.copyOffsiteUntilIdle()
                #expect(notices().count == 1, "reported once")
                let worker = try #require(await supervisor.worker("acme"))
                #expect(await worker.status(daemonRunning: true, now: h.clock.date).offsite?.error == nil)
            }
        }
    }
}
