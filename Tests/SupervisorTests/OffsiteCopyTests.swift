import BackupArchive
import Foundation
import Offsite
import Policy
import Supervisor
import Systemd
import Testing
import TestSupport
import ZohoModel
import ZohoSimulator

/// The daemon's off-site copies with the real restic on a local-path repository: a snapshot
/// per backup with the org as host, its tags and its completion time; byte-identical restores;
/// failures told apart, reported once, counted, retried; `required: true` and retention.
@Suite("Off-site copies", .serialized)
struct OffsiteCopyTests {
    static let fridays = "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=FR"
    static let simulator: @Sendable (inout SimulatorConfig) -> Void = { $0.monthlyQuota = 10 }

    static func org(keep: String = "{ last: 4, weekly: 0, monthly: 0, yearly: 0 }", required: Bool = false,
                    offsiteKeep: String = "{ last: 8, weekly: 26, monthly: 36, yearly: 7 }") -> SupervisorHarness.Org {
        SupervisorHarness.Org(name: "acme", schedule: fridays,
                              extra: ["offsite: { repository: REPO, password_secret: acme-restic, required: \(required), keep: \(offsiteKeep) }"], keep: keep)
    }

    /// The harness's policy with the repository in its folder; the password secret written.
    static func policy(_ h: SupervisorHarness, password: String = "correct horse") throws -> Policy {
        try write(h, password: password)
        return try PolicyLoader(environment: [:]).parse(h.policyText().replacingOccurrences(of: "REPO", with: repository(h)), file: h.folder + "/policy.yaml")
    }

    static func repository(_ h: SupervisorHarness) -> String { h.folder + "/restic" }
    /// `failures_total{kind="offsite"}` of acme in a render (labels in either order), or nil.
    static func offsiteFailures(_ rendered: String) -> Int? {
        for prefix in [#"zoho_crm_backup_failures_total{org="acme",kind="offsite"} "#, #"zoho_crm_backup_failures_total{kind="offsite",org="acme"} "#] {
            if let line = rendered.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return Int(line.dropFirst(prefix.count)) }
        }
        return nil
    }

    static func passwordFile(_ h: SupervisorHarness) -> String { h.folder + "/credentials/acme-restic" }

    static func write(_ h: SupervisorHarness, password: String) throws {
        try AtomicFile.write(Data((password + "\n").utf8), to: passwordFile(h), permissions: 0o600)
    }

    static func initRepository(_ h: SupervisorHarness) async throws {
        let made = try await ResticFixture.run(["init"], repository: repository(h), passwordFile: passwordFile(h))
        try #require(made.status == 0, "\(made.all)")
    }

    static func snapshots(_ h: SupervisorHarness) async throws -> [ResticSnapshot] {
        let listed = try await ResticFixture.run(["snapshots", "--json", "--no-lock"], repository: repository(h), passwordFile: passwordFile(h))
        try #require(listed.status == 0, "\(listed.all)")
        return try JSONDecoder().decode([ResticSnapshot]?.self, from: Data(listed.stdout.utf8)) ?? []
    }

    static func runUntilArchived(_ h: SupervisorHarness, _ supervisor: Supervisor, _ n: Int) async throws {
        for _ in 0..<200 {
            await h.cycle(supervisor, times: 1, step: .seconds(6 * 3600))
            if h.archived("acme").count + PrunedJobs.load(archive: h.archivePath("acme")).pruned.count >= n { return }
        }
        throw HarnessError(description: "backup \(n) was never archived")
    }

    /// Every file of the archive with its bytes: what a failed copy must leave as it was.
    static func files(_ root: String) -> [String: Data] {
        var all: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root) ?? NSEnumerator().makeIterator() as! FileManager.DirectoryEnumerator {
            if let data = FileManager.default.contents(atPath: root + "/" + path) { all[path] = data }
        }
        return all
    }

    @Test("one snapshot per backup (host, tags, time); nothing copied twice, even with offsite.json lost; restores are byte-identical")
    func copies() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([Self.org()], configure: Self.simulator) { h in
            let policy = try Self.policy(h)
            try await Self.initRepository(h)
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await Self.runUntilArchived(h, supervisor, 2)
            await supervisor.copyOffsiteUntilIdle()

            let backups = h.archived("acme")
            let snapshots = try await Self.snapshots(h)
            #expect(snapshots.count == 2)
            for backup in backups {
                let mine = snapshots.filter { $0.jobID == backup.manifest.jobID }
                #expect(mine.count == 1 && mine.first?.hostname == "acme" && mine.first?.org == "acme" && mine.first?.backupName == backup.name)
                #expect(abs((mine.first?.time.timeIntervalSince1970 ?? 0) - backup.manifest.completedAt.timeIntervalSince1970.rounded(.down)) < 1)
            }
            let copied = recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteCopied.rawValue }
            #expect(copied.count == 2 && copied.allSatisfy { $0.level == .notice && $0.metadata["snapshot"] != nil })
            #expect(metrics.render().contains(#"zoho_crm_backup_offsite_lag_backups{org="acme"} 0"#))
            #expect(metrics.render().contains("zoho_crm_backup_offsite_last_success_timestamp_seconds{org=\"acme\"} \(Int(h.clock.date.timeIntervalSince1970))"))

            await supervisor.copyOffsiteUntilIdle()
            await #expect(try Self.snapshots(h).count == 2, "nothing is copied twice")

            // offsite.json lost (a crash before it was written, a wiped state folder): found by the job tag.
            try FileManager.default.removeItem(atPath: h.stateDir + "/acme/offsite.json")
            let again = LogRecorder()
            let restarted = Supervisor(policy: policy, environment: h.environment(logger: again.logger))
            await restarted.copyOffsiteUntilIdle()
            await #expect(try Self.snapshots(h).count == 2, "still one snapshot per backup")
            #expect(again.all().filter { $0.message.contains("was in the repository already") }.count == 2)

            // Restored by restic: the same bytes as the archive's.
            let newest = try #require(backups.last)
            let snapshot = try #require(snapshots.first { $0.jobID == newest.manifest.jobID })
            let out = h.folder + "/restored"
            let restored = try await ResticFixture.run(["restore", snapshot.id, "--target", out], repository: Self.repository(h), passwordFile: Self.passwordFile(h))
            try #require(restored.status == 0, "\(restored.all)")
            #expect(Self.files(out + "/" + newest.name) == Self.files(newest.folder) && !Self.files(newest.folder).isEmpty)
        }
    }

    @Test("a missing repository, a wrong password and a lock: one journal entry each with the fix, counted, retried later; the archive untouched")
    func failures() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([Self.org()], configure: Self.simulator) { h in
            let policy = try Self.policy(h)
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await Self.runUntilArchived(h, supervisor, 1)
            let before = Self.files(h.archivePath("acme"))
            func failed() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue } }
            func attempt() async { _ = await supervisor.copyOffsite(repository: Self.repository(h)) }

            await attempt()
            #expect(failed().count == 1 && failed().last?.metadata["offsite_error"] == "repositoryMissing")
            #expect(failed().last?.message.contains("zoho-crm-backup offsite init") == true && failed().last?.level == .error)
            await attempt()
            #expect(failed().count == 1, "within the backoff nothing is tried")
            h.clock.advance(by: .seconds(120))
            await attempt()
            #expect(failed().count == 1, "the same error again within the hour: counted, not repeated in the journal")
            #expect(Self.offsiteFailures(metrics.render()) == 2)
            #expect(metrics.render().contains(#"zoho_crm_backup_offsite_lag_backups{org="acme"} 1"#))

            // A repository made with another password.
            try Self.write(h, password: "another one")
            try await Self.initRepository(h)
            try Self.write(h, password: "correct horse")
            h.clock.advance(by: .seconds(600))
            await attempt()
            #expect(failed().count == 2 && failed().last?.metadata["offsite_error"] == "wrongPassword")
            #expect(failed().last?.message.contains("password_secret") == true)

            // The right password, but a stale exclusive lock.
            try Self.write(h, password: "another one")
            try #require(try await ResticFixture.leaveExclusiveLock(repository: Self.repository(h), passwordFile: Self.passwordFile(h)))
            h.clock.advance(by: .seconds(3600))
            await attempt()
            #expect(failed().count == 3 && failed().last?.metadata["offsite_error"] == "locked", "\(recorder.all().suffix(3).map(\.message))")
            #expect(failed().last?.message.contains("unlock") == true)
            #expect(Self.files(h.archivePath("acme")) == before, "the local archive is untouched by failed copies")
            let worker = try #require(await supervisor.worker("acme"))
            let failing = await worker.status(daemonRunning: true, now: h.clock.date).offsite
            #expect(failing?.error_kind == "locked" && failing?.lag_backups == 1 && failing?.next_attempt != nil, "status shows it (and exits 1)")
            #expect(await supervisor.statusSummary().line.contains("OFF-SITE COPY FAILING: acme"))
            await #expect(try Self.snapshots(h).isEmpty)

            // The daemon ran `restic unlock`: the lock of a restic that is gone is stale, and removed.
            #expect(recorder.all().contains { $0.message.contains("ran `restic unlock`") })
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: Self.repository(h) + "/locks")) ?? []).isEmpty, "the stale lock is gone")
            h.clock.advance(by: .seconds(6 * 3600))
            await attempt()
            await #expect(try Self.snapshots(h).count == 1)
            #expect(recorder.all().last { $0.metadata["message_id"] == MessageID.offsiteCopied.rawValue }?.message.contains("after 4 failed attempts") == true)
            let copied = await worker.status(daemonRunning: true, now: h.clock.date).offsite
            #expect(copied?.error == nil && copied?.lag_backups == 0 && copied?.last_snapshot != nil)
            #expect(!(await supervisor.statusSummary().line.contains("OFF-SITE")))
        }
    }

    @Test("required: true keeps backups not yet off-site past keep; once copied, retention removes them")
    func requiredKeeps() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([Self.org(keep: "{ last: 1, weekly: 0, monthly: 0, yearly: 0 }", required: true)], configure: Self.simulator) { h in
            let policy = try Self.policy(h)
            let supervisor = Supervisor(policy: policy, environment: h.environment())
            try await Self.runUntilArchived(h, supervisor, 3)
            #expect(h.archived("acme").count == 3, "keep.last 1, but none is off-site")
            let archive = OrgArchive(try #require(policy.org("acme")), stateDir: h.stateDir)
            let dry = try await archive.prune(keep: RetentionCounts(last: 1, weekly: 0, monthly: 0, yearly: 0), timeZone: .gmt, dryRun: true, now: h.clock.date)
            #expect(dry.filter { $0.keep && $0.reasons == ["kept — not yet off-site"] }.count == 2)

            try await Self.initRepository(h)
            await supervisor.copyOffsiteUntilIdle()
            await #expect(try Self.snapshots(h).count == 3)
            await h.cycle(supervisor, times: 1, step: .seconds(3600))
            #expect(h.archived("acme").count == 1, "copied: retention applies keep.last 1")
        }
    }
}

/// `required: true` yields to a new download when the disk is full: the archive on a tmpfs.
@Suite("Off-site required, disk full", .serialized)
struct OffsiteDiskFullTests {
    static func run(_ tool: String, _ arguments: [String]) throws -> ChildProcess.Result { try ChildProcess.run(tool, arguments) }

    static func size(_ folder: String) -> Int64 {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + $1)[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    static func free(_ path: String) -> Int64 {
        var info = statvfs()
        return statvfs(path, &info) == 0 ? Int64(info.f_bavail) * Int64(info.f_frsize) : 0
    }

    @Test("restic's cache on a full disk: one warning with the fix and alarm{kind=\"offsite_cache\"}; copies go on without the cache; freed, it is used again",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func cacheDiskFull() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([OffsiteCopyTests.org()], configure: OffsiteCopyTests.simulator) { h in
            let policy = try OffsiteCopyTests.policy(h)
            try await OffsiteCopyTests.initRepository(h)
            let cache = h.stateDir + "/restic-cache"
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
            try #require(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", cache]).status == 0)
            var mounted = true
            defer { if mounted { _ = try? Self.run("/bin/umount", ["-l", cache]) } }
            _ = try Self.run("/bin/dd", ["if=/dev/zero", "of=\(cache)/filler", "bs=64k", "count=100"])
            #expect(Self.free(cache) < 64 * 1024)

            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            func warnings() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["offsite_error"] == "cacheDiskFull" } }
            let raised = #"zoho_crm_backup_alarm{org="acme",kind="offsite_cache"} 1"#, lowered = #"zoho_crm_backup_alarm{org="acme",kind="offsite_cache"} 0"#
            func alarm(_ line: String) -> Bool {
                let rendered = metrics.render()
                return rendered.contains(line) || rendered.contains(line.replacingOccurrences(of: #"org="acme",kind="offsite_cache""#, with: #"kind="offsite_cache",org="acme""#))
            }
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 1, "the copy is made without the cache")
            #expect(warnings().count == 1 && warnings().first?.level == .warning, "\(recorder.all().map(\.message))")
            #expect(warnings().first?.message.contains("Free space on the state folder's disk") == true)
            #expect(alarm(raised))
            #expect(!recorder.all().contains { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue })

            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
            await supervisor.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 2 && warnings().count == 1, "told once, not every run")

            // Space freed: the cache is used again.
            try #require(try Self.run("/bin/umount", ["-l", cache]).status == 0)
            mounted = false
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 3)
            await supervisor.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 3)
            #expect(recorder.all().contains { $0.message.contains("is usable again") } && alarm(lowered))
            #expect(FileManager.default.fileExists(atPath: cache + "/CACHEDIR.TAG"), "restic filled its cache again")
        }
    }

    @Test("below min_free, backups never copied off-site are removed for the new download (each an error), never a held one",
          .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
    func newDownloadWins() async throws {
        let content: @Sendable (inout SimulatorConfig) -> Void = {
            $0.monthlyQuota = 10
            $0.content = BackupContent(folder: NSTemporaryDirectory() + "zcb-offsite-full-content", recordsPerModule: 30,
                                       attachmentsPerPart: 4, attachmentBytes: 150_000)
        }
        let org = OffsiteCopyTests.org(keep: "{ last: 1, weekly: 0, monthly: 0, yearly: 0 }", required: true)
        try await SupervisorHarness.run([org], configure: content) { h in
            let mount = h.folder + "/archive"
            try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
            try #require(try Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mount]).status == 0)
            defer { _ = try? Self.run("/bin/umount", ["-l", mount]) }

            // No repository: nothing gets off-site, so required keeps every backup.
            let recorder = LogRecorder()
            let policy = try OffsiteCopyTests.policy(h)
            let first = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, first, 3)
            await first.copyOffsiteUntilIdle()
            let three = h.archived("acme")
            try #require(three.count == 3, "keep.last 1, but none is off-site")
            let archive = OrgArchive(try #require(policy.org("acme")), stateDir: h.stateDir)
            let oldest = try #require(archive.backups().first)
            _ = try await archive.hold(oldest, reason: "audit", now: h.clock.date)

            // min_free so that the next backup does not fit, and does once one backup is gone.
            let newest = Self.size(three[2].folder)
            let minFree = (Self.free(mount) - newest / 2) / 1024
            let text = try OffsiteCopyTests.policyText(h).replacingOccurrences(of: "min_free: 1MiB", with: "min_free: \(minFree)KiB")
            let tight = try PolicyLoader(environment: [:]).parse(text, file: h.folder + "/policy.yaml")
            let supervisor = Supervisor(policy: tight, environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 4)

            let removed = recorder.all().filter { $0.level == .error && $0.message.contains("removed before it was copied off-site") }
            #expect(removed.count == 1 && removed.first?.message.contains(three[1].name) == true, "\(removed.map(\.message))")
            let names = h.archived("acme").map(\.name)
            #expect(names.contains(oldest.name), "a held backup is never removed for room")
            #expect(names.contains(three[2].name) && !names.contains(three[1].name) && names.count == 3)
        }
    }
}

extension OffsiteCopyTests {
    /// The policy text with the repository in the harness's folder.
    static func policyText(_ h: SupervisorHarness) throws -> String {
        h.policyText().replacingOccurrences(of: "REPO", with: repository(h))
    }
}

/// What must not count as a copy: a snapshot of the job that lacks files, and copies recorded
/// for another repository (moved, or made anew at the same address).
@Suite("Off-site copies that do not count", .serialized)
struct OffsiteNotCountedTests {
    @Test("a snapshot tagged with the job but lacking a file is forgotten and the backup copied whole")
    func partialSnapshot() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([OffsiteCopyTests.org()], configure: OffsiteCopyTests.simulator) { h in
            let policy = try OffsiteCopyTests.policy(h)
            try await OffsiteCopyTests.initRepository(h)
            let recorder = LogRecorder()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            let backup = try #require(h.archived("acme").first)
            // What restic's exit 3 leaves: a snapshot of the folder, tagged with the job, without a part.
            let fake = h.folder + "/fake"
            try FileManager.default.createDirectory(atPath: fake + "/" + backup.name, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: backup.folder + "/manifest.json", toPath: fake + "/" + backup.name + "/manifest.json")
            let made = try await ChildProcess.run("/usr/bin/env", ["restic", "--no-cache", "--password-file", OffsiteCopyTests.passwordFile(h), "--repo",
                                                             OffsiteCopyTests.repository(h), "backup", "--host", "acme", "--tag",
                                                             "org=acme", "--tag", "job=\(backup.manifest.jobID)", backup.name], in: fake)
            try #require(made.status == 0, "\(made.all)")
            // …and the copy's start recorded before restic ran (the daemon restarted since).
            let record = #"{"copyStarted": "\#(backup.manifest.jobID)", "copies": {}, "consecutiveFailures": 0, "bytesAdded": 0, "since": "2020-01-01T00:00:00Z"}"#
            try AtomicFile.write(Data(record.utf8), to: h.stateDir + "/acme/offsite.json")
            let restarted = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))

            await restarted.copyOffsiteUntilIdle()
            let snapshots = try await OffsiteCopyTests.snapshots(h)
            #expect(snapshots.count == 1, "the partial snapshot forgotten, one whole copy made")
            #expect(!recorder.all().contains { $0.message.contains("was in the repository already") })
            let out = h.folder + "/restored"
            let restored = try await ResticFixture.run(["restore", try #require(snapshots.first).id, "--target", out],
                                                 repository: OffsiteCopyTests.repository(h), passwordFile: OffsiteCopyTests.passwordFile(h))
            try #require(restored.status == 0)
            #expect(OffsiteCopyTests.files(out + "/" + backup.name) == OffsiteCopyTests.files(backup.folder))
        }
    }

    @Test("copies recorded for another repository do not count: a moved repository, and one made anew at the same address")
    func otherRepository() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        try await SupervisorHarness.run([OffsiteCopyTests.org()], configure: OffsiteCopyTests.simulator) { h in
            let policy = try OffsiteCopyTests.policy(h)
            try await OffsiteCopyTests.initRepository(h)
            let first = Supervisor(policy: policy, environment: h.environment())
            try await OffsiteCopyTests.runUntilArchived(h, first, 2)
            await first.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 2)

            // The same address, a new repository (the NAS replaced, `restic init` again).
            try FileManager.default.removeItem(atPath: OffsiteCopyTests.repository(h))
            try await OffsiteCopyTests.initRepository(h)
            let recorder = LogRecorder()
            let restarted = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger))
            await restarted.copyOffsiteUntilIdle()
            await #expect(try OffsiteCopyTests.snapshots(h).count == 2, "every backup copied into the new repository")
            #expect(recorder.all().contains { $0.level == .warning && $0.message.contains("is a new one") })

            // offsite.repository changed in the policy.
            let moved = h.folder + "/restic-2"
            let made = try await ResticFixture.run(["init"], repository: moved, passwordFile: OffsiteCopyTests.passwordFile(h))
            try #require(made.status == 0)
            let text = try OffsiteCopyTests.policyText(h).replacingOccurrences(of: OffsiteCopyTests.repository(h), with: moved)
            let movedPolicy = try PolicyLoader(environment: [:]).parse(text, file: h.folder + "/policy.yaml")
            let third = Supervisor(policy: movedPolicy, environment: h.environment())
            await third.copyOffsiteUntilIdle()
            let listed = try await ResticFixture.run(["snapshots", "--json", "--no-lock"], repository: moved, passwordFile: OffsiteCopyTests.passwordFile(h))
            #expect((try JSONDecoder().decode([ResticSnapshot]?.self, from: Data(listed.stdout.utf8)) ?? []).count == 2)
        }
    }
}
