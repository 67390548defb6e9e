import Foundation
import Offsite
import Policy
import Supervisor
import Systemd
import Testing
import TestSupport
import ZohoModel

/// Off-site copies into S3: moto's server (PyPI, in `make test`'s venv) on loopback with its
/// IAM authentication on, keys in the environment secret. A copy goes in; a revoked key and
/// an unreachable store are each one entry with the fix, counted, retried.
@Suite("Off-site, S3 (moto)", .serialized,
       .enabled(if: ProcessInfo.processInfo.environment["ZCB_MOTO"] != nil, "make test runs it with moto from its venv (ZCB_MOTO)"))
struct OffsiteS3Tests {
    /// moto's server on a free loopback port, authenticating every request after the first
    /// four (the test's own set-up: a user, its policy, its key, the bucket).
    final class Moto: @unchecked Sendable {   // used by one test at a time (a serialized suite); the Process is not shared
        let process = Process()
        let port: Int
        let bin: String

        /// The trip wire's file (see ``Moto/server``).
        let trip: String

        init() throws {
            bin = try #require(ProcessInfo.processInfo.environment["ZCB_MOTO"])
            port = Int.random(in: 20_000...40_000)
            let script = NSTemporaryDirectory() + "zcb-moto-\(port).py"
            trip = script + ".trip"
            try Data(Self.server.utf8).write(to: URL(fileURLWithPath: script))
            process.executableURL = URL(fileURLWithPath: bin + "/python")
            process.arguments = [script, "-H", "127.0.0.1", "-p", String(port)]
            var env = ProcessInfo.processInfo.environment
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
            env["ZCB_TRIP"] = trip
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        var endpoint: String { "http://127.0.0.1:\(port)" }

        func waitUntilUp() async throws {
            guard await LoopbackServer.waitUntilAnswering(endpoint + "/moto-api/", process: process) else {
                throw HarnessError(description: "moto did not start on \(port)")
            }
        }

        /// Runs `script` with boto3 against the server; its standard output.
        func python(_ script: String) throws -> String {
            let r = try ChildProcess.run(bin + "/python", ["-c", script, endpoint])
            guard r.status == 0 else { throw HarnessError(description: "moto set-up failed: \(r.all)") }
            return r.stdout
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGCONT) }
            LoopbackServer.stop(process)
            try? FileManager.default.removeItem(atPath: trip.replacingOccurrences(of: ".trip", with: ""))
            try? FileManager.default.removeItem(atPath: trip)
        }

        /// Arms the trip wire: the next upload of a pack (restic in the middle of a copy)
        /// makes moto `stop` (SIGSTOP itself: a store that stops answering) or SIGKILL the
        /// restic copying into this server (found by its RESTIC_REPOSITORY).
        func arm(_ action: String) throws { try Data(action.utf8).write(to: URL(fileURLWithPath: trip)) }

        /// Whether the trip wire went off (its file is removed when it does).
        var tripped: Bool { !FileManager.default.fileExists(atPath: trip) }

        /// Lets a stopped moto go on.
        func resume() { kill(process.processIdentifier, SIGCONT) }

        /// moto's server with the trip wire in front of it (a WSGI wrapper).
        static let server = #"""
            import os, signal, sys
            from moto.moto_server import werkzeug_app
            trip = os.environ["ZCB_TRIP"]
            port = sys.argv[sys.argv.index("-p") + 1]
            original = werkzeug_app.DomainDispatcherApplication.__call__
            def restics():
                for pid in os.listdir("/proc"):
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as f: argv = f.read().split(b"\0")
                        with open(f"/proc/{pid}/environ", "rb") as f: env = f.read().split(b"\0")
                    except OSError:
                        continue
                    if argv[0].endswith(b"restic") and any(v.startswith(b"RESTIC_REPOSITORY=s3:http://127.0.0.1:" + port.encode() + b"/") for v in env):
                        yield int(pid)
            def call(self, environ, start_response):
                if environ.get("REQUEST_METHOD") == "PUT" and "/data/" in environ.get("PATH_INFO", "") and os.path.exists(trip):
                    with open(trip) as f: action = f.read().strip()
                    os.unlink(trip)
                    if action == "stop":
                        os.kill(os.getpid(), signal.SIGSTOP)
                    elif action == "kill-restic":
                        for pid in restics(): os.kill(pid, signal.SIGKILL)
                return original(self, environ, start_response)
            werkzeug_app.DomainDispatcherApplication.__call__ = call
            from moto.server import main
            sys.exit(main())
            """#
    }

    /// A user allowed everything: the tests' default key.
    static let allowAll = #"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#

    /// The README's ransomware-safe policy (deletes only of lock files), as the admin copies it
    /// — plus `s3:HeadBucket`, moto's name for the bucket's HEAD, which AWS authorises with
    /// `s3:ListBucket` (the policy has that).
    static func readmePolicy() throws -> String {
        let readme = try String(contentsOfFile: projectRoot + "/README.md", encoding: .utf8)
        let marker = try #require(readme.range(of: "<!-- s3-append-only-policy -->\n```json\n"))
        let end = try #require(readme.range(of: "\n```", range: marker.upperBound..<readme.endIndex))
        var policy = try #require(try JSONSerialization.jsonObject(with: Data(readme[marker.upperBound..<end.lowerBound].utf8)) as? [String: Any])
        var statements = try #require(policy["Statement"] as? [[String: Any]])
        let actions = try #require(statements.first?["Action"] as? [String])
        try #require(actions.contains("s3:ListBucket"))
        statements[0]["Action"] = actions + ["s3:HeadBucket"]
        policy["Statement"] = statements
        return String(decoding: try JSONSerialization.data(withJSONObject: policy), as: UTF8.self)
    }

    /// The set-up: a user with `policy` (IAM JSON), its key, the bucket, a spare key; prints the two keys.
    static func setUp(policy: String = allowAll) -> String {
        """
        import boto3, json, sys
        ep = sys.argv[1]
        iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="zcb")
        iam.put_user_policy(UserName="zcb", PolicyName="all", PolicyDocument=json.dumps(json.loads(r'''\(policy)''')))
        key = iam.create_access_key(UserName="zcb")["AccessKey"]
        boto3.client("s3", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]).create_bucket(Bucket="zoho")
        # A second key (IAM authentication is on from here: made with the first), the admin's replacement for a revoked one.
        iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        try:
            spare = iam.create_access_key(UserName="zcb")["AccessKey"]
        except Exception:   # a policy of S3 actions alone (the README's) may not make keys
            spare = {"AccessKeyId": "-", "SecretAccessKey": "-"}
        print(key["AccessKeyId"], key["SecretAccessKey"], spare["AccessKeyId"], spare["SecretAccessKey"])
        """
    }

    static func revoke(_ id: String, _ secret: String) -> String {
        """
        import boto3, sys
        iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="\(id)", aws_secret_access_key="\(secret)")
        iam.delete_access_key(UserName="zcb", AccessKeyId="\(id)")
        """
    }

    /// What a test against moto has: the store, the keys, the repository in it, the harness.
    struct Store {
        let moto: Moto
        let keys: [String]
        let repository: String
        let h: SupervisorHarness

        /// restic by hand against the repository, with the first key (or the spare, `key: 1`).
        func restic(_ arguments: [String], key: Int = 0) throws -> ChildProcess.Result {
            try ChildProcess.run("/usr/bin/env", ["restic", "--no-cache", "--repo", repository, "--password-file", OffsiteCopyTests.passwordFile(h)] + arguments,
                                 environment: ["AWS_ACCESS_KEY_ID": keys[2 * key], "AWS_SECRET_ACCESS_KEY": keys[2 * key + 1], "TZ": "UTC"])
        }

        /// The org's environment secret with the first key (or the spare, `key: 1`).
        func writeSecret(key: Int) throws {
            let variables = "AWS_ACCESS_KEY_ID=\(keys[2 * key])\nAWS_SECRET_ACCESS_KEY=\(keys[2 * key + 1])\n"
            try AtomicFile.write(Data(variables.utf8), to: h.folder + "/credentials/acme-s3", permissions: 0o600)
        }

        func snapshots(key: Int = 0) throws -> [ResticSnapshot] {
            let listed = try restic(["snapshots", "--json", "--no-lock"], key: key)
            try #require(listed.status == 0, "\(listed.all)")
            return try JSONDecoder().decode([ResticSnapshot]?.self, from: Data(listed.stdout.utf8)) ?? []
        }
    }

    /// moto up with a user, its key and a bucket; an org copying into `s3:…/zoho/acme` (made
    /// with `restic init`) with the key in its environment secret; `body` runs with it all.
    static func withStore(offsite extra: String = "", policy: String = allowAll, _ body: @escaping @Sendable (Store) async throws -> Void) async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let moto = try Moto()
        defer { moto.stop() }
        try await moto.waitUntilUp()
        let keys = try moto.python(Self.setUp(policy: policy)).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(keys.count == 4)
        let repository = "s3:\(moto.endpoint)/zoho/acme"
        var org = OffsiteCopyTests.org()
        org.extra = ["offsite: { repository: \"\(repository)\", password_secret: acme-restic, environment_secret: acme-s3\(extra) }"]
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            try OffsiteCopyTests.write(h, password: "correct horse")
            let store = Store(moto: moto, keys: keys, repository: repository, h: h)
            try store.writeSecret(key: 0)
            let made = try store.restic(["init"])
            try #require(made.status == 0, "restic init: \(made.all)")
            try await body(store)
        }
    }

    @Test("a copy into S3; a revoked key (nothing counted off-site, the archive untouched, copied once the secret has a new key; then retention, prune and the check in S3) and an unreachable store: one entry each with the fix, counted, retried")
    func s3() async throws {
        try await Self.withStore(offsite: ", keep: { last: 1, weekly: 0, monthly: 0, yearly: 0 }, check: { every: 1d, read_data_subset: 100% }") { store in
            let (h, moto, keys, repository) = (store.h, store.moto, store.keys, store.repository)
            let policy = try PolicyLoader(environment: [:]).parse(h.policyText(), file: h.folder + "/policy.yaml")
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.copyOffsiteUntilIdle()
            #expect(try store.snapshots().count == 1)
            #expect(!recorder.all().contains { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue })
            func failed() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue } }

            // The key revoked in IAM: the next copy is refused.
            _ = try moto.python(Self.revoke(keys[0], keys[1]))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
            _ = await supervisor.copyOffsite(repository: repository)
            #expect(failed().count == 1 && failed().last?.metadata["offsite_error"] == "accessDenied", "\(failed().map(\.message))")
            #expect(failed().last?.message.contains("environment_secret") == true && !failed().last!.message.contains(keys[1]))
            #expect(try store.snapshots(key: 1).count == 1, "nothing counted that restic did not confirm")
            let worker = try #require(await supervisor.worker("acme"))
            #expect(await worker.status(daemonRunning: true, now: h.clock.date).offsite?.lag_backups == 1)
            #expect(OffsiteCopyTests.offsiteFailures(metrics.render()) == 1)

            // The admin puts the new key in the secret: the retry, after the backoff, copies.
            let before = OffsiteCopyTests.files(h.archivePath("acme"))
            try store.writeSecret(key: 1)
            h.clock.advance(by: .seconds(120))
            _ = await supervisor.copyOffsite(repository: repository)
            #expect(try store.snapshots(key: 1).count == 2, "\(recorder.all().suffix(3).map(\.message))")
            #expect(await worker.status(daemonRunning: true, now: h.clock.date).offsite?.error == nil)
            #expect(OffsiteCopyTests.files(h.archivePath("acme")) == before, "the local archive is untouched")

            // The next day's upkeep in S3: retention (offsite.keep last 1) forgets the older copy, prune, and the check reads it all.
            h.clock.advance(by: .seconds(86_400))
            await supervisor.copyOffsiteUntilIdle()
            #expect(try store.snapshots(key: 1).count == 1, "\(recorder.all().suffix(4).map(\.message))")
            #expect(recorder.all().contains { $0.message.contains("forgot the snapshots of 1 backup") })
            #expect(recorder.all().contains { $0.message.contains("checked (100% of its data read): no errors") })
            #expect(recorder.all().contains { $0.message.contains("pruned") })

            // The store gone.
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 3)
            moto.stop()
            h.clock.advance(by: .seconds(600))
            _ = await supervisor.copyOffsite(repository: repository)
            #expect(failed().count == 2 && failed().last?.metadata["offsite_error"] == "network", "\(failed().map(\.message))")
            let rendered = metrics.render()
            #expect(OffsiteCopyTests.offsiteFailures(rendered) == 2)
        }
    }

    @Test("mid-copy, restic SIGKILLed and then the store stopped: one entry each with the fix, counted, nothing counted off-site that restic did not confirm; retried, each backup once")
    func midCopy() async throws {
        try await Self.withStore { store in
            let (h, moto) = (store.h, store.moto)
            let policy = try PolicyLoader(environment: [:]).parse(h.policyText(), file: h.folder + "/policy.yaml")
            let recorder = LogRecorder(), metrics = BackupMetrics()
            var environment = h.environment(logger: recorder.logger, metrics: metrics)
            environment.resticTimeLimit = .seconds(12)   // the daemon's is 12 hours for a copy
            let supervisor = Supervisor(policy: policy, environment: environment)
            func failed() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue } }
            func copied() async -> Int { await supervisor.worker("acme")?.offsiteState.copies.count ?? -1 }
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.copyOffsiteUntilIdle()
            try #require(try store.snapshots().count == 1 && failed().isEmpty)

            // restic SIGKILLed while it uploads the second backup's packs.
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
            // The backups' own files (the archive's top-level bookkeeping changes as backups come).
            let archive = OffsiteCopyTests.files(h.archivePath("acme")).filter { $0.key.contains("/") && !$0.key.hasPrefix(".") }
            try moto.arm("kill-restic")
            _ = await supervisor.copyOffsite(repository: store.repository)
            #expect(moto.tripped)
            let killed = failed()
            #expect(killed.count == 1, "\(killed.map(\.message))")
            #expect(killed.last?.metadata["offsite_error"] == "killed")
            #expect(killed.last?.message.contains("counted only when restic confirms") == true)
            #expect(await copied() == 1, "nothing counted")
            #expect(try store.snapshots().count == 1, "no snapshot")

            // Retried after the backoff: copied once.
            h.clock.advance(by: .seconds(600))
            _ = await supervisor.copyOffsite(repository: store.repository)
            #expect(await copied() == 2)
            #expect(try store.snapshots().count == 2)
            #expect(failed().count == 1)

            // The store stops answering while the third backup's packs go up.
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 3)
            try moto.arm("stop")
            _ = await supervisor.copyOffsite(repository: store.repository)
            #expect(moto.tripped)
            let stopped = failed()
            #expect(stopped.count == 2, "\(stopped.map(\.message))")
            #expect(stopped.last?.metadata["offsite_error"] == "timedOut")
            #expect(stopped.last?.message.contains("store that stopped answering") == true)
            #expect(await copied() == 2)
            let rendered = metrics.render()
            #expect(OffsiteCopyTests.offsiteFailures(rendered) == 2)
            #expect(rendered.contains(#"zoho_crm_backup_offsite_lag_backups{org="acme"} 1"#))

            // The store answers again: the retry copies it, and every backup is there once.
            moto.resume()
            h.clock.advance(by: .seconds(600))
            _ = await supervisor.copyOffsite(repository: store.repository)
            let snapshots = try store.snapshots()
            #expect(await copied() == 3)
            #expect(snapshots.count == 3, "\(failed().map(\.message))")
            #expect(Set(snapshots.flatMap { $0.tags }.filter { $0.hasPrefix("job=") }).count == 3)
            let now = OffsiteCopyTests.files(h.archivePath("acme"))
            #expect(archive.allSatisfy { now[$0.key] == $0.value }, "the local archive is untouched by the failed copies")
        }
    }
}
