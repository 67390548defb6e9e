import Foundation
import Glibc
import TestSupport
import Testing

/// The off-site copy as an admin runs it, with the real daemon and the real restic: `offsite
/// init`, the daemon killed by SIGKILL mid-copy (and after restic confirmed, before the
/// record) and restarted — exactly one snapshot; `offsite snapshots`, `offsite status`,
/// `restore --from-offsite` from the policy and, with no policy at all, the disaster-recovery
/// restore: byte-identical backup folders.
@Suite("Off-site commands and crashes", .serialized)
struct OffsiteCommandTests {
    /// The setup with an `offsite:` pointing at a repository in its folder, and its password secret.
    static func setup(_ sim: SimulatorProcess) throws -> (DaemonSetup, repository: String, password: String) {
        let setup = try DaemonSetup(sim, schedule: "unmanaged")
        let repository = setup.folder + "/restic-repo"
        let password = setup.credentials + "/acme-restic"
        FileManager.default.createFile(atPath: password, contents: Data("a long passphrase\n".utf8), attributes: [.posixPermissions: 0o600])
        let text = try String(contentsOfFile: setup.policy, encoding: .utf8)
        try (text + "    offsite:\n      repository: \(repository)\n      password_secret: acme-restic\n")
            .write(toFile: setup.policy, atomically: true, encoding: .utf8)
        return (setup, repository, password)
    }

    static func snapshots(_ setup: DaemonSetup) throws -> [[String: Any]] {
        let r = try CommandRunner.run(["offsite", "snapshots", "--policy", setup.policy, "--json"], environment: setup.environment)
        try #require(r.status == 0, "\(r.all)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// Every file of a folder with its bytes.
    static func files(_ folder: String) -> [String: Data] {
        var all: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            all[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return all
    }

    @Test("killed mid-copy or before the copy is recorded, then restarted: exactly one snapshot; then every off-site command", arguments: [
        "offsite.midCopy", "offsite.beforeRecord",
    ])
    func killedMidCopy(_ point: String) throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let folder = try makeTemporaryFolder("sim")
        let big = try makeZip(folder + "/Data_001.zip", randomBytes: 3_000_000)
        let sim = try SimulatorProcess(jobDuration: "1s", extra: ["--part", "Data_001.zip=\(big)"])
        defer { sim.stop() }
        let (setup, repository, password) = try Self.setup(sim)

        let made = try CommandRunner.run(["offsite", "init", "--policy", setup.policy], environment: setup.environment)
        #expect(made.status == 0 && made.stdout.contains("created the restic repository"), "\(made.all)")
        let again = try CommandRunner.run(["offsite", "init", "--policy", setup.policy], environment: setup.environment)
        #expect(again.status == 1 && again.stderr.contains("already"), "an existing repository is refused: \(again.all)")

        try setup.requestBackup()
        try CrashPointTests.crash(setup, at: point)
        // systemd stops what is left of the service's processes (KillMode=control-group): so does the test.
        _ = try? ChildProcess.run("/usr/bin/pkill", ["-KILL", "-f", repository])
        // The state file first: each restic run costs half a second of CPU (its key derivation).
        try CrashPointTests.runUntil(setup) {
            (try? String(contentsOfFile: setup.folder + "/state/acme/offsite.json", encoding: .utf8))?.contains("lastCopy") == true
                && ((try? Self.snapshots(setup)) ?? []).count >= 1
        }
        let listed = try ResticFixture.run(["snapshots", "--json", "--no-lock"], repository: repository, passwordFile: password)
        let all = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(all.count == 1, "exactly one snapshot after the kill at \(point): \(listed.stdout)")
        // The commands once (each restic run costs its key derivation).
        guard point == "offsite.beforeRecord" else { return }

        let job = try #require(try setup.archivedJobs().first)
        let snapshot = try #require(try Self.snapshots(setup).first)
        #expect(snapshot["org"] as? String == "acme" && snapshot["job_id"] as? String == job)
        let backupName = try #require(snapshot["backup"] as? String)

        let status = try CommandRunner.run(["offsite", "status", "--policy", setup.policy, "--json"], environment: setup.environment)
        #expect(status.status == 0, "\(status.all)")
        let row = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(row["lag_backups"] as? Int == 0 && row["last_backup"] as? String == backupName && (row["repository_bytes"] as? Int ?? 0) > 3_000_000)

        // From the policy, by job id.
        let out = setup.folder + "/from-offsite"
        let restored = try CommandRunner.run(["restore", "--from-offsite", job, "--to", out, "--policy", setup.policy], environment: setup.environment)
        #expect(restored.status == 0 && restored.stdout.contains("every part checked"), "\(restored.all)")
        let archived = Self.files(setup.archive + "/" + backupName)
        #expect(Self.files(out) == archived && archived["Data_001.zip"] != nil && archived["index"] != nil, "byte-identical, index included")

        // The backup host is gone: no policy, no state, no archive; the repository and its password.
        let empty = try makeTemporaryFolder("dr")
        let shortID = try #require(snapshot["short_id"] as? String)
        let dr = try CommandRunner.run(["restore", "--from-offsite", shortID, "--repository", repository, "--password-file", password,
                                        "--to", empty + "/acme", "--policy", empty + "/no-policy.yaml"])
        #expect(dr.status == 0, "\(dr.all)")
        #expect(Self.files(empty + "/acme") == archived)
        let sums = try ChildProcess.run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: empty + "/acme")
        #expect(sums.status == 0, "\(sums.all)")
        let listedDR = try CommandRunner.run(["offsite", "snapshots", "--repository", repository, "--password-file", password])
        #expect(listedDR.status == 0 && listedDR.stdout.contains(backupName), "\(listedDR.all)")
        let wrong = try CommandRunner.run(["restore", "--from-offsite", shortID, "--repository", repository, "--password-file", setup.policy,
                                           "--to", empty + "/wrong"])
        #expect(wrong.status == 1 && wrong.stderr.contains("password"), "a wrong password says so: \(wrong.all)")

        // The daemon's check found damage (as it records it): status and offsite status exit 1 and say what to do.
        let statePath = setup.folder + "/state/acme/offsite.json"
        var state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statePath))) as? [String: Any])
        state["checkFailure"] = "pack 5e1f0c2a: does not match"
        try JSONSerialization.data(withJSONObject: state).write(to: URL(fileURLWithPath: statePath))
        let damaged = try CommandRunner.run(["status", "--policy", setup.policy], environment: setup.environment)
        #expect(damaged.status == 1 && damaged.stdout.contains("OFF-SITE CHECK FAILED: pack 5e1f0c2a: does not match"), "\(damaged.all)")
        #expect(damaged.stdout.contains("MESSAGE_ID=fc00170a5e364f568bb7c0e8114cee3a"))
        let offsiteDamaged = try CommandRunner.run(["offsite", "status", "--policy", setup.policy], environment: setup.environment)
        #expect(offsiteDamaged.status == 1 && offsiteDamaged.all.contains("FAILED: pack 5e1f0c2a: does not match"), "\(offsiteDamaged.all)")
        #expect(offsiteDamaged.stdout.contains("MESSAGE_ID=fc00170a5e364f568bb7c0e8114cee3a"))
    }
}
