import Foundation
import TestSupport
import Testing

@Suite("zoho-crm-backup auth")
struct AuthCommandTests {
    @Test func grantCodeBecomesACredentialsFileThatCheckAccepts() throws {
        let sim = try SimulatorProcess()
        defer { sim.stop() }
        let dir = try makeTemporaryFolder("auth")
        let policy = dir + "/policy.yaml"
        try sim.policy().write(toFile: policy, atomically: true, encoding: .utf8)
        let clientFile = dir + "/client.json"
        try #"{"client_id": "\#(sim.credentials["client_id"] ?? "")", "client_secret": "\#(sim.credentials["client_secret"] ?? "")"}"#
            .write(toFile: clientFile, atomically: true, encoding: .utf8)
        try "1000.grant-code-from-the-console\n".write(toFile: dir + "/code", atomically: true, encoding: .utf8)
        let credentials = dir + "/credentials"

        let r = try CommandRunner.run(["auth", "--policy", policy, "--org", "acme", "--client-file", clientFile,
                                       "--code-file", dir + "/code", "--credentials-dir", credentials])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("wrote \(credentials)/acme.json (mode 0600)"))
        #expect(!r.all.contains(sim.credentials["client_secret"] ?? "-"))
        #expect(!r.all.contains(sim.credentials["refresh_token"] ?? "-"))
        let written = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: credentials + "/acme.json"))) as? [String: String])
        #expect(written["refresh_token"] == sim.credentials["refresh_token"])
        let mode = try FileManager.default.attributesOfItem(atPath: credentials + "/acme.json")[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        let check = try CommandRunner.run(["check", "--policy", policy], environment: ["CREDENTIALS_DIRECTORY": credentials])
        #expect(check.status == 0, "\(check.all)")
    }

    @Test func refusedCodeSaysWhatToDoAndWritesNothing() throws {
        let sim = try SimulatorProcess()
        defer { sim.stop() }
        let dir = try makeTemporaryFolder("auth-bad")
        try sim.policy().write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        try #"{"client_id": "1000.WRONG", "client_secret": "nope"}"#.write(toFile: dir + "/client.json", atomically: true, encoding: .utf8)
        try "1000.code".write(toFile: dir + "/code", atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(["auth", "--policy", dir + "/policy.yaml", "--org", "acme", "--client-file", dir + "/client.json",
                                       "--code-file", dir + "/code", "--credentials-dir", dir + "/credentials"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("[acme] authorization: Zoho answered 200 invalid_client"))
        #expect(r.stderr.contains("check data_center"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/credentials/acme.json"))
    }

    @Test func withoutATerminalOrFilesItSaysHow() throws {
        let dir = try makeTemporaryFolder("auth-tty")
        try "version: 1\norgs:\n  acme:\n    data_center: us\n    credentials: acme\n    schedule: none\n"
            .write(toFile: dir + "/policy.yaml", atomically: true, encoding: .utf8)
        let r = try CommandRunner.run(["auth", "--policy", dir + "/policy.yaml", "--org", "acme"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("no terminal to ask on: give --client-file and --code-file"))
        let unknown = try CommandRunner.run(["auth", "--policy", dir + "/policy.yaml", "--org", "nope", "--code-file", "-"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("org 'nope' is not in"))
    }
}
