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

        init() throws {
            bin = try #require(ProcessInfo.processInfo.environment["ZCB_MOTO"])
            port = Int.random(in: 20_000...40_000)
            process.executableURL = URL(fileURLWithPath: bin + "/moto_server")
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
            var env = ProcessInfo.processInfo.environment
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
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

        func stop() { LoopbackServer.stop(process) }
    }

    static let setUp = """
        import boto3, json, sys
        ep = sys.argv[1]
        iam = boto3.client("iam", endpoint_url=ep, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="zcb")
        iam.put_user_policy(UserName="zcb", PolicyName="all", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        key = iam.create_access_key(UserName="zcb")["AccessKey"]
        boto3.client("s3", endpoint_url=ep, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]).create_bucket(Bucket="zoho")
        print(key["AccessKeyId"], key["SecretAccessKey"])
        """

    static func revoke(_ id: String, _ secret: String) -> String {
        """
        import boto3, sys
        iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="\(id)", aws_secret_access_key="\(secret)")
        iam.delete_access_key(UserName="zcb", AccessKeyId="\(id)")
        """
    }

    @Test("a copy into S3; a revoked key and an unreachable store: one entry each with the fix, counted, retried")
    func s3() async throws {
        try #require(ResticFixture.isInstalled, "make deps installs restic")
        let moto = try Moto()
        defer { moto.stop() }
        try await moto.waitUntilUp()
        let keys = try moto.python(Self.setUp).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(keys.count == 2)
        let repository = "s3:\(moto.endpoint)/zoho/acme"
        var org = OffsiteCopyTests.org()
        org.extra = ["offsite: { repository: \"\(repository)\", password_secret: acme-restic, environment_secret: acme-s3 }"]
        try await SupervisorHarness.run([org], configure: OffsiteCopyTests.simulator) { h in
            try OffsiteCopyTests.write(h, password: "correct horse")
            let variables = "AWS_ACCESS_KEY_ID=\(keys[0])\nAWS_SECRET_ACCESS_KEY=\(keys[1])\n"
            try AtomicFile.write(Data(variables.utf8), to: h.folder + "/credentials/acme-s3", permissions: 0o600)
            let env = ["AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1], "TZ": "UTC"]
            func restic(_ arguments: [String]) throws -> ChildProcess.Result {
                try ChildProcess.run("/usr/bin/env", ["restic", "--no-cache", "--repo", repository, "--password-file", OffsiteCopyTests.passwordFile(h)] + arguments,
                                     environment: env)
            }
            try #require(try restic(["init"]).status == 0)
            let policy = try PolicyLoader(environment: [:]).parse(h.policyText(), file: h.folder + "/policy.yaml")
            let recorder = LogRecorder(), metrics = BackupMetrics()
            let supervisor = Supervisor(policy: policy, environment: h.environment(logger: recorder.logger, metrics: metrics))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 1)
            await supervisor.copyOffsiteUntilIdle()
            let listed = try restic(["snapshots", "--json", "--no-lock"])
            #expect((try JSONDecoder().decode([ResticSnapshot]?.self, from: Data(listed.stdout.utf8)) ?? []).count == 1, "\(listed.all)")
            #expect(!recorder.all().contains { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue })
            func failed() -> [LogRecorder.Entry] { recorder.all().filter { $0.metadata["message_id"] == MessageID.offsiteFailed.rawValue } }

            // The key revoked in IAM: the next copy is refused.
            _ = try moto.python(Self.revoke(keys[0], keys[1]))
            try await OffsiteCopyTests.runUntilArchived(h, supervisor, 2)
            _ = await supervisor.copyOffsite(repository: repository)
            #expect(failed().count == 1 && failed().last?.metadata["offsite_error"] == "accessDenied", "\(failed().map(\.message))")
            #expect(failed().last?.message.contains("environment_secret") == true && !failed().last!.message.contains(keys[1]))

            // The store gone.
            moto.stop()
            h.clock.advance(by: .seconds(600))
            _ = await supervisor.copyOffsite(repository: repository)
            #expect(failed().count == 2 && failed().last?.metadata["offsite_error"] == "network", "\(failed().map(\.message))")
            let rendered = metrics.render()
            #expect(rendered.contains(#"zoho_crm_backup_failures_total{org="acme",kind="offsite"} 2"#)
                    || rendered.contains(#"zoho_crm_backup_failures_total{kind="offsite",org="acme"} 2"#))
        }
    }
}
