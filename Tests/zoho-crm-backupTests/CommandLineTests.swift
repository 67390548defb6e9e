import Foundation
import Testing

@Suite("zoho-crm-backup commands")
struct CommandLineTests {
    @Test func version() throws {
        let r = try CommandRunner.run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    static let commands = ["run", "check", "plan", "status", "list", "verify", "prune", "now", "history", "auth", "demo", "simulator"]

    @Test func everyCommandHasHelp() throws {
        let help = try CommandRunner.run(["--help"])
        #expect(help.status == 0)
        for command in Self.commands {
            #expect(help.stdout.contains("  \(command) "), "top-level help lists \(command)")
            let r = try CommandRunner.run([command, "--help"])
            #expect(r.status == 0, "\(command) --help")
            #expect(r.stdout.contains("OVERVIEW:"), "\(command) --help has an overview")
        }
    }

    @Test(arguments: ["run", "plan", "status", "now"])
    func aMissingPolicyIsAClearErrorAndNothingRuns(_ command: String) throws {
        let r = try CommandRunner.run([command, "--policy", "/nonexistent/policy.yaml", "--yes"].filter { command == "now" || $0 != "--yes" })
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/policy.yaml"))
        #expect(r.stdout.isEmpty)
    }

    @Test func authNeverTakesSecretsFromArguments() throws {
        // Secrets come from files, stdin or the terminal, never argv.
        let r = try CommandRunner.run(["auth", "--help"])
        #expect(!r.stdout.contains("--client-secret"))
        #expect(!r.stdout.contains("--code "))
        #expect(r.stdout.contains("--client-file"))
    }
}
