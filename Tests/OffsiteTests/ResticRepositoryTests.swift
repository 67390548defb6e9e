import Foundation
import Offsite
import Testing
import TestSupport

/// The restic wrapper against the real restic (Debian's, 0.14) on local-path repositories.
@Suite("restic, for real")
struct ResticRepositoryTests {
    /// A scratch folder with a password file, a backup folder to copy and a repository path.
    struct Scratch: Sendable {
        let root: String
        var restic: Restic

        init(password: String = "correct horse") throws {
            root = NSTemporaryDirectory() + "restic-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: root + "/archive", withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: root + "/password", contents: Data((password + "\n").utf8), attributes: [.posixPermissions: 0o600])
            restic = Restic(repository: root + "/repo", passwordFile: root + "/password", cacheDir: root + "/cache")
        }

        /// A backup folder `name` with a part of `size` random bytes and a manifest.
        func backupFolder(_ name: String, size: Int = 200_000, seed: UInt8 = 1) throws -> String {
            let folder = root + "/archive/" + name
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: size)
            var x = UInt32(seed) &* 2_654_435_761
            for i in bytes.indices { x ^= x << 13; x ^= x >> 17; x ^= x << 5; bytes[i] = UInt8(truncatingIfNeeded: x) }
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/Data_001.zip"))
            try Data("{\"org\":\"acme\"}\n".utf8).write(to: URL(fileURLWithPath: folder + "/manifest.json"))
            return folder
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    static func requireRestic() throws {
        try #require(ResticFixture.isInstalled, "restic is not installed: `make deps` installs Debian's restic")
    }

    @Test("init, backup with host, tags and time, snapshots by tag, restore gives the same bytes")
    func roundTrip() async throws {
        try Self.requireRestic()
        let s = try Scratch()
        defer { s.remove() }
        try await s.restic.initialize()
        let folder = try s.backupFolder("2026-11-20T093005Z_111")
        let time = Date(timeIntervalSince1970: 1_795_167_005)   // 2026-11-20T09:30:05Z
        let summary = try await s.restic.backup(folder: "2026-11-20T093005Z_111", in: s.root + "/archive", host: "acme",
                                                tags: ["org=acme", "job=111"], time: time)
        #expect(!summary.snapshotID.isEmpty && summary.dataAdded > 0 && summary.filesNew == 2)
        _ = try s.backupFolder("2026-11-27T093005Z_222", seed: 2)
        _ = try await s.restic.backup(folder: "2026-11-27T093005Z_222", in: s.root + "/archive", host: "acme",
                                      tags: ["org=acme", "job=222"], time: time.addingTimeInterval(7 * 86_400))

        let all = try await s.restic.snapshots(host: "acme")
        #expect(all.count == 2)
        let mine = try await s.restic.snapshots(host: "acme", tags: ["org=acme", "job=111"])
        let snapshot = try #require(mine.first)
        #expect(mine.count == 1 && snapshot.jobID == "111" && snapshot.org == "acme" && snapshot.hostname == "acme")
        #expect(snapshot.time == time && snapshot.backupName == "2026-11-20T093005Z_111" && summary.snapshotID == snapshot.shortID)
        #expect(try await s.restic.snapshots(host: "other").isEmpty)

        try await s.restic.restore(snapshot.id, to: s.root + "/out")
        for file in ["Data_001.zip", "manifest.json"] {
            let restored = FileManager.default.contents(atPath: s.root + "/out/2026-11-20T093005Z_111/" + file)
            #expect(restored == FileManager.default.contents(atPath: folder + "/" + file), "\(file) byte-identical")
        }
        #expect((try await s.restic.storedSize() ?? 0) > 400_000)
    }

    @Test("a wrong password, a missing repository, an existing one, a lock and an unreachable store are told apart")
    func classes() async throws {
        try Self.requireRestic()
        let s = try Scratch()
        defer { s.remove() }
        await #expect(throws: ResticError.Kind.repositoryMissing) { try await Self.kind { try await s.restic.snapshots() } }
        try await s.restic.initialize()
        await #expect(throws: ResticError.Kind.repositoryExists) { try await Self.kind { try await s.restic.initialize() } }

        var wrong = s.restic
        FileManager.default.createFile(atPath: s.root + "/wrong", contents: Data("nope\n".utf8), attributes: [.posixPermissions: 0o600])
        wrong.passwordFile = s.root + "/wrong"
        await #expect(throws: ResticError.Kind.wrongPassword) { try await Self.kind { try await wrong.snapshots() } }

        // An exclusive lock as a killed `restic check` leaves it: a lock file naming a PID.
        try await Self.leaveExclusiveLock(s.restic)
        _ = try s.backupFolder("2026-11-20T093005Z_111")
        await #expect(throws: ResticError.Kind.locked) {
            try await Self.kind {
                _ = try await s.restic.backup(folder: "2026-11-20T093005Z_111", in: s.root + "/archive", host: "acme", tags: [], time: Date())
            }
        }

        // Nothing listens on port 1: refused, told apart from a missing repository.
        var unreachable = s.restic
        unreachable.repository = "rest:http://127.0.0.1:1/"
        await #expect(throws: ResticError.Kind.network) { try await Self.kind { try await unreachable.snapshots() } }

        var missing = s.restic
        missing.executable = s.root + "/no-restic-here"
        await #expect(throws: ResticError.Kind.notInstalled) { try await Self.kind { try await missing.snapshots() } }
    }

    @Test("unlockStale removes the lock of a restic that is gone, never a live restic's (no --remove-all)")
    func unlockKeepsALiveLock() async throws {
        try Self.requireRestic()
        let s = try Scratch()
        defer { s.remove() }
        try await s.restic.initialize()
        let holder = try #require(try await ResticFixture.holdExclusiveLock(repository: s.restic.repository, passwordFile: s.restic.passwordFile))
        func locks() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: s.restic.repository + "/locks")) ?? [] }
        try await s.restic.unlockStale()
        #expect(locks().count == 1, "the live restic keeps its lock")
        holder.kill()
        try await s.restic.unlockStale()
        #expect(locks().isEmpty, "its restic gone, the lock is stale and removed")
    }

    @Test("a restic that hangs (a stalled store) is stopped at its time limit: timedOut, nothing left running")
    func hangingResticIsStopped() async throws {
        let s = try Scratch()
        defer { s.remove() }
        // A stand-in that never answers, and notes when it is stopped.
        let fake = s.root + "/restic"
        try "#!/bin/sh\ntrap 'echo stopped > \(s.root)/stopped; exit 130' INT\nwhile :; do sleep 0.1; done\n"
            .write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        var hanging = s.restic
        hanging.executable = fake
        hanging.quickTimeout = .milliseconds(500)
        await #expect(throws: ResticError.Kind.timedOut) { try await Self.kind { _ = try await hanging.snapshots() } }
        #expect(FileManager.default.fileExists(atPath: s.root + "/stopped"), "restic got SIGINT, so it can remove its lock")
    }

    @Test("the error classes from restic's words, and exit 3 is not a copy", arguments: [
        (Int32(1), "Fatal: wrong password or no key found", ResticError.Kind.wrongPassword),
        (1, "Fatal: unable to open config file: stat /x/config: no such file or directory\nIs there a repository at the following location?\n/x", .repositoryMissing),
        (1, "Fatal: create repository at /x failed: config file already exists", .repositoryExists),
        (1, "unable to create lock in backend: repository is already locked exclusively by PID 7 on vm by root", .locked),
        (1, "Fatal: unable to open config file: client.Head: dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?", .network),
        (1, "Fatal: unable to open repository at sftp:u@h:/x: unable to start the sftp session, error: EOF", .network),
        (1, "Fatal: unable to open config file: Stat: The AWS Access Key Id you provided does not exist in our records.", .accessDenied),
        (1, "Save(<data/0a>) returned error: write /repo/data/0a: no space left on device", .diskFull),
        (3, "error: open /a/Data_001.zip: permission denied\nWarning: at least one source file could not be read", .incomplete),
        (1, "Fatal: something new", .other),
        (1, "unable to create lock in backend: open /repo/locks/ab: permission denied", .other),
        (130, "signal interrupt received, cleaning up", .killed),
    ])
    func classify(status: Int32, stderr: String, kind: ResticError.Kind) {
        #expect(ResticError.classify(status: status, stderr: stderr) == kind)
        #expect(ResticError.classify(status: nil, stderr: stderr) == .killed)
    }

    @Test("the backup summary is found among the status lines; times are read with restic's nanoseconds")
    func parsing() throws {
        let output = """
            {"message_type":"status","percent_done":0,"total_files":1}
            {"message_type":"summary","files_new":2,"files_changed":0,"files_unmodified":0,"data_added":301093,"total_files_processed":2,"total_bytes_processed":300003,"snapshot_id":"b103ebbe"}

            """
        let summary = try #require(ResticBackupSummary.find(in: Array(output.utf8)))
        #expect(summary.snapshotID == "b103ebbe" && summary.dataAdded == 301_093 && summary.totalBytesProcessed == 300_003)
        #expect(ResticBackupSummary.find(in: Array("{\"message_type\":\"status\"}\n".utf8)) == nil)
        let json = #"[{"time":"2026-11-20T09:30:05.25+01:00","hostname":"acme","tags":["org=acme","job=1"],"paths":["/a/b"],"id":"abcdef0123","short_id":"abcdef01"}]"#
        let snapshot = try #require(try JSONDecoder().decode([ResticSnapshot].self, from: Data(json.utf8)).first)
        #expect(abs(snapshot.time.timeIntervalSince1970 - 1_795_163_405.25) < 0.001 && snapshot.jobID == "1" && snapshot.backupName == "b")
    }

    /// The kind of the ``ResticError`` `body` throws.
    static func kind(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let error as ResticError { throw error.kind }
    }

    static func leaveExclusiveLock(_ restic: Restic) async throws {
        try #require(try await ResticFixture.leaveExclusiveLock(repository: restic.repository, passwordFile: restic.passwordFile),
                     "restic key passwd left no lock to test with")
    }
}

extension ResticError.Kind: Error {}
