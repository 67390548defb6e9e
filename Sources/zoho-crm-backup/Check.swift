import ArgumentParser
import Foundation
import Policy
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    /// `check`: validate the policy and each org's credentials, like `nginx -t`.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the policy and each org's credentials file.",
            discussion: """
                Every problem is printed as file:line:column: message, all at once. Credentials files \
                that are missing, unreadable, readable by group or others, or malformed are errors. \
                Exit 0: valid; 1: invalid.
                """)

        @OptionGroup var policy: PolicyOption
        @OptionGroup var output: JSONOption
        @Flag(name: .long, help: "Check the policy alone, not the credentials files.")
        var noCredentials = false

        func run() async throws {
            let report = CheckReport.make(policyPath: policy.policy, checkCredentials: !noCredentials)
            if output.json {
                try Output.json(report)
            } else {
                report.printText()
            }
            if !report.valid { throw ExitCode.failure }
        }
    }
}

/// The outcome of `check`, for text and `--json`. Holds no secret.
struct CheckReport: Encodable {
    struct Problem: Encodable {
        var file: String
        var line: Int?
        var column: Int?
        var message: String
        var text: String
    }
    struct Org: Encodable {
        var name: String
        var data_center: String
        var schedule: String
        var credentials: String
        var credentials_file: String?
        var archive: String
        var keep: RetentionCounts
        var max_age: String?
        var timezone: String
        /// The off-site repository (a URL's password masked), and the secret files found for it.
        var offsite: String?
        var offsite_secrets: [String]?
        /// The org's alert destinations, by name.
        var notify: [String]?
    }

    var policy: String
    var valid: Bool
    var credentials_checked: Bool
    var errors: [Problem]
    /// Problems found when more were found than `errors` shows (the last says "and N more").
    var problems: Int?
    var orgs: [Org]

    static func make(policyPath: String, checkCredentials: Bool) -> CheckReport {
        var report = CheckReport(policy: policyPath, valid: false, credentials_checked: checkCredentials, errors: [], orgs: [])
        let loaded: Policy
        do {
            loaded = try PolicyLoader().load(path: policyPath)
        } catch {
            report.errors = error.diagnostics.map(Problem.init)
            report.problems = error.total
            return report
        }
        let lookup = CredentialsLookup()
        for org in loaded.orgs {
            var entry = Org(
                name: org.name, data_center: org.dataCenter.rawValue, schedule: org.schedule.description,
                credentials: org.credentials, credentials_file: nil, archive: org.archive.path, keep: org.archive.keep,
                max_age: org.maxAge.map(TimeSpan.format), timezone: org.timeZone.identifier)
            if checkCredentials {
                do {
                    entry.credentials_file = try lookup.load(org.credentials, org: org.name).path
                } catch {
                    let diagnostic = PolicyDiagnostic(
                        file: policyPath, position: org.credentialsPosition,
                        message: "credentials: org \(org.name): \(error.message)")
                    report.errors.append(Problem(diagnostic))
                }
            }
            if let offsite = org.offsite {
                entry.offsite = offsite.displayRepository
                if checkCredentials {
                    let (files, problems) = Self.checkOffsite(offsite, org: org.name, secrets: SecretLookup(lookup))
                    entry.offsite_secrets = files
                    report.errors += problems.map { Problem(PolicyDiagnostic(file: policyPath, position: offsite.position, message: $0)) }
                }
            }
            if let notify = org.notify {
                entry.notify = notify.destinations.map { "\($0.name) (\($0.kind.rawValue))" }
                if checkCredentials {
                    for destination in notify.destinations {
                        do { _ = try destination.url.resolve(SecretLookup(lookup)) } catch {
                            report.errors.append(Problem(PolicyDiagnostic(file: policyPath, position: org.position,
                                                                          message: "notify: org \(org.name), destination \(destination.name): \(error.message)")))
                        }
                    }
                }
            }
            report.orgs.append(entry)
        }
        for (org, destination, problem) in NotifyTest.sendmailProblems(loaded) {
            let position = loaded.org(org)?.position ?? SourcePosition(line: 1, column: 1)
            report.errors.append(Problem(PolicyDiagnostic(file: policyPath, position: position, message: "notify: org \(org), destination \(destination): \(problem)")))
        }
        if let heartbeat = loaded.heartbeat, checkCredentials {
            do { _ = try heartbeat.url.resolve(SecretLookup(lookup)) } catch {
                report.errors.append(Problem(PolicyDiagnostic(file: policyPath, position: SourcePosition(line: 1, column: 1), message: "heartbeat: \(error.message)")))
            }
        }
        report.valid = report.errors.isEmpty
        return report
    }

    /// The off-site secrets' files, and what is wrong with them or with the restic program.
    static func checkOffsite(_ offsite: OffsitePolicy, org: String, secrets: SecretLookup) -> (files: [String], problems: [String]) {
        var files: [String] = [], problems: [String] = []
        do { files.append(try secrets.load(offsite.passwordSecret, purpose: "the off-site repository password of org \(org)").path) } catch {
            problems.append("offsite.password_secret: org \(org): \(error.message)")
        }
        if let name = offsite.environmentSecret {
            do {
                let secret = try secrets.load(name, purpose: "restic's environment for org \(org)")
                _ = try EnvironmentSecret.parse(secret)
                files.append(secret.path)
            } catch {
                problems.append("offsite.environment_secret: org \(org): \(error.message)")
            }
        }
        if let path = offsite.restic {
            if !FileManager.default.isExecutableFile(atPath: path) { problems.append("offsite.restic: org \(org): \(path) is not an executable file; install restic (`apt install restic`) or correct the path") }
        } else if !(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/restic") }) {
            problems.append("offsite: org \(org): restic is not installed (not on PATH); install it with `apt install restic`, or set offsite.restic to its path")
        }
        return (files, problems)
    }

    func printText() {
        for problem in errors { Output.error(problem.text) }
        guard valid else {
            let count = max(problems ?? 0, errors.count)
            if count > 1 { Output.error("\(policy): \(count) problems") }
            return
        }
        let what = credentials_checked ? "policy and credentials" : "policy (credentials not checked)"
        Output.line("\(policy): \(what) OK; \(orgs.isEmpty ? "no orgs configured" : "\(orgs.count) org\(orgs.count == 1 ? "" : "s")")")
        for org in orgs {
            var line = "  \(org.name): \(org.data_center), \(org.schedule), archive \(org.archive)"
            if let file = org.credentials_file { line += ", credentials \(file)" }
            if let offsite = org.offsite { line += ", off-site to \(offsite)" }
            line += org.max_age.map { ", alarm when the newest backup is older than \($0)" } ?? ", no freshness alarm"
            Output.line(line)
        }
    }
}

extension CheckReport.Problem {
    init(_ diagnostic: PolicyDiagnostic) {
        self.init(file: diagnostic.file, line: diagnostic.position?.line, column: diagnostic.position?.column,
                  message: diagnostic.message, text: diagnostic.description)
    }
}
