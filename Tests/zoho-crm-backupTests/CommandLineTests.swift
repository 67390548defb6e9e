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

    @Test(arguments: ["run", "plan", "status", "demo"])
    func pendingCommandsSayWhatIsMissingAndFail(_ command: String) throws {
        let r = try CommandRunner.run([command])
        #expect(r.status == 1)
        #expect(r.stderr.contains("zoho-crm-backup \(command): not built yet — it arrives with"))
        #expect(r.stderr.contains("Nothing was done."))
    }

    @Test func authNeverTakesSecretsFromArguments() throws {
        // Secrets come from files, stdin or the terminal, never argv.
        let r = try CommandRunner.run(["auth", "--help"])
        #expect(!r.stdout.contains("--client-secret"))
        #expect(!r.stdout.contains("--code "))
        #expect(r.stdout.contains("--client-file"))
    }
}
