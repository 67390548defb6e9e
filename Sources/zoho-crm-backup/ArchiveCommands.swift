import ArgumentParser
import Foundation
import Glibc
import Policy
import Supervisor
import ZohoModel

/// What the archive commands share: the policy, the chosen orgs and their archive folders.
struct ArchiveContext {
    let policy: Policy
    let orgs: [OrgPolicy]

    init(policyPath: String, org: String?) throws {
        do { policy = try PolicyLoader().load(path: policyPath) } catch {
            Output.error(error.description)
            throw ExitCode.failure
        }
        orgs = try OrgSelection.select(org, in: policy)
    }

    func archive(_ org: OrgPolicy) -> OrgArchive { OrgArchive(org, stateDir: policy.stateDir) }

    /// The backups named (folder names or job ids; every backup when none is named), oldest
    /// first per org. - Throws: a validation error naming what matched nothing.
    func choose(_ names: [String]) throws -> [(org: OrgPolicy, backup: BackupSummary)] {
        var chosen: [(OrgPolicy, BackupSummary)] = []
        for target in orgs {
            for backup in archive(target).backups() where names.isEmpty || names.contains(backup.name) || names.contains(backup.jobID) {
                chosen.append((target, backup))
            }
        }
        let found = Set(chosen.flatMap { [$0.1.name, $0.1.jobID] })
        let missing = names.filter { !found.contains($0) }
        guard missing.isEmpty else {
            throw ValidationError("no archived backup named \(missing.joined(separator: ", ")) (give a folder name or job id from `zoho-crm-backup list`)")
        }
        return chosen
    }
}

extension ZohoCRMBackup {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List archived backups with date, job id, parts, size and verification state.")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption

        struct Row: Encodable {
            var org: String
            var folder: String
            var job_id: String
            var completed_at: Date
            var parts: Int
            var size: Int64
            var verified_at: Date?
            var state: String
            /// Why it is held (retention keeps it), if it is.
            var held: [String]?
        }

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            var rows: [Row] = []
            for target in context.orgs {
                let archive = context.archive(target)
                var holds: [String: [String]] = [:]
                do {
                    for hold in try archive.holds(now: Date()) { holds[hold.backup, default: []].append(hold.reason) }
                } catch {
                    Output.error("[\(target.name)] \(error.description)")
                }
                for backup in archive.backups().reversed() {
                    rows.append(Row(org: target.name, folder: backup.folder, job_id: backup.jobID, completed_at: backup.completedAt,
                                    parts: backup.parts, size: backup.bytes, verified_at: backup.verifiedAt, state: "verified",
                                    held: holds[backup.name]))
                }
            }
            if output.json {
                try Output.json(rows)
                return
            }
            for target in context.orgs {
                let mine = rows.filter { $0.org == target.name }
                let plural = mine.count == 1 ? "" : "s"
                let summary = mine.isEmpty ? "no backups in \(target.archive.path)" : "\(mine.count) backup\(plural) in \(target.archive.path), newest first"
                Output.line("\(target.name): \(summary)")
                for row in mine {
                    let date = ZohoDate.format(row.completed_at, in: target.timeZone)
                    Output.line("  \(date)  job \(row.job_id)  \(row.parts) part\(row.parts == 1 ? " " : "s")  \(ByteSize(bytes: row.size))  \(row.state)"
                                + (row.held.map { "  HELD — \($0.joined(separator: "; "))" } ?? ""))
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check archived backups against SHA256SUMS and every zip entry's CRC.",
            discussion: "Exit 1 when any file does not match, naming it. Changes nothing.")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Argument(help: ArgumentHelp("Backups to verify: folder names or job ids (default: all).", valueName: "backup"))
        var backups: [String] = []

        struct Result: Encodable {
            var org: String
            var backup: String
            var job_id: String
            var ok: Bool
            var problems: [String]
        }

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            let chosen = try context.choose(backups)
            var results: [Result] = []
            for (target, backup) in chosen {
                let report = await context.archive(target).verify(backup)
                results.append(Result(org: target.name, backup: backup.name, job_id: backup.jobID, ok: report.ok, problems: report.problems))
                if !output.json {
                    if report.ok {
                        Output.line("\(target.name) \(backup.name): OK (\(report.filesChecked) files)")
                    } else {
                        for problem in report.problems { Output.error("\(target.name) \(backup.name): \(problem)") }
                    }
                }
            }
            if output.json { try Output.json(results) }
            if results.contains(where: { !$0.ok }) { throw ExitCode.failure }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply retention now and show what is kept and why.",
            discussion: "Holds each org's lock while it works, as the daemon does. Run it as the zoho-crm-backup user.")
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @OptionGroup var output: JSONOption
        @Flag(name: .long, help: "Show what would be removed; remove nothing.")
        var dryRun = false

        struct Row: Encodable {
            var org: String
            var backup: String
            var job_id: String
            var keep: Bool
            var reasons: [String]
        }

        func run() async throws {
            let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
            if !dryRun { try ServiceUser.refuseRoot(command: "prune") }
            var rows: [Row] = []
            var failed = false
            for target in context.orgs {
                do {
                    let pruned = try await context.archive(target).prune(keep: target.archive.keep, timeZone: target.timeZone, dryRun: dryRun, now: Date())
                    rows += pruned.map { Row(org: target.name, backup: $0.backup, job_id: $0.jobID, keep: $0.keep, reasons: $0.reasons) }
                } catch {
                    Output.error("\(error)")
                    failed = true
                }
            }
            if output.json {
                try Output.json(rows)
            } else {
                for row in rows {
                    let verb = row.keep ? "keep  " : (dryRun ? "would remove" : "removed")
                    Output.line("\(row.org) \(row.backup): \(verb) — \(row.reasons.joined(separator: ", "))")
                }
                if rows.isEmpty { Output.line("nothing archived yet") }
            }
            if failed { throw ExitCode.failure }
        }
    }
}

/// Files in state and archive belong to the service user.
enum ServiceUser {
    static let name = "zoho-crm-backup"

    /// Refuses to write as root when the service user exists: files made as root would lock
    /// the daemon out of them.
    static func refuseRoot(command: String) throws {
        guard getuid() == 0, getpwnam(name) != nil else { return }
        Output.error("zoho-crm-backup \(command) writes into the archive and state, which belong to the \(name) user; run it as that user:\n  runuser -u \(name) -- zoho-crm-backup \(CommandLine.arguments.dropFirst().joined(separator: " "))")
        throw ExitCode.failure
    }

    /// The credentials of `orgs`, read now; then, as root where the service user exists,
    /// becomes that user — so a command that observes Zoho (plan, status, history) never
    /// leaves a root-owned token cache or state folder that would lock the daemon out.
    static func readCredentialsThenDropRoot(_ orgs: [OrgPolicy], command: String) throws -> CredentialsLookup {
        let lookup = CredentialsLookup().preloading(orgs.map { ($0.credentials, $0.name) })
        try becomeServiceUserIfRoot(command: command)
        return lookup
    }

    /// Run as root where the service user exists: becomes that user (after reading what only
    /// root may read, such as the credentials under /etc), so that every file this command
    /// writes into state and archive belongs to the daemon's user.
    static func becomeServiceUserIfRoot(command: String) throws {
        guard getuid() == 0, let user = getpwnam(name) else { return }
        let uid = user.pointee.pw_uid, gid = user.pointee.pw_gid
        // glibc applies set*id to every thread of the process.
        guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            Output.error("zoho-crm-backup \(command): cannot become the \(name) user (\(String(cString: strerror(errno)))); nothing was done")
            throw ExitCode.failure
        }
    }
}
