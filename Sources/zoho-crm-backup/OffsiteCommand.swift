import ArgumentParser
import Foundation
import Glibc
import Policy
import Supervisor
import Systemd

extension ZohoCRMBackup {
    /// `offsite`: the off-site restic repositories — create one, see the copies, list snapshots.
    struct Offsite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The off-site copies in restic repositories: init, status, snapshots.",
            discussion: "The daemon copies every archived backup into the org's offsite.repository; restore one with `restore --from-offsite`.",
            subcommands: [Init.self, Status.self, Snapshots.self])

        /// `offsite init`: creates each chosen org's repository (once per repository).
        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create the orgs' off-site restic repositories (an existing one is refused, never overwritten).")
            @OptionGroup var policy: PolicyOption
            @OptionGroup var org: OrgOption

            func run() async throws {
                let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
                var done = Set<String>(), failed = false
                for target in context.orgs {
                    guard let offsite = target.offsite else {
                        if org.org != nil { Output.error("org \(target.name) has no offsite: in \(policy.policy)"); failed = true }
                        continue
                    }
                    guard done.insert(offsite.repository).inserted else { continue }
                    do {
                        try await OffsiteRepository(org: target, secrets: SecretLookup()).initialize()
                        if let path = offsite.localPath { ServiceUser.give(path) }
                        Output.line("created the restic repository \(offsite.displayRepository) for \(target.name); keep its password (secret \(offsite.passwordSecret)) somewhere else too: without it the copies cannot be read")
                    } catch {
                        Output.error("\(target.name): \(error)")
                        failed = true
                    }
                }
                if done.isEmpty, !failed { Output.line("no org has offsite: in \(policy.policy)") }
                if failed { throw ExitCode.failure }
            }
        }

        /// `offsite status`: per org, the last copy, the lag, the error in force, the repository's size.
        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Per org: the last copy, its snapshot, bytes added, the lag in backups, the error in force, and the repository's size.",
                discussion: "Exit 1 when an org's copies are failing or lag behind by more than one backup.")
            @OptionGroup var policy: PolicyOption
            @OptionGroup var org: OrgOption
            @OptionGroup var output: JSONOption

            func run() async throws {
                let context = try ArchiveContext(policyPath: policy.policy, org: org.org)
                var rows: [OffsiteSummary] = []
                var sizes: [String: Int64?] = [:]
                for target in context.orgs {
                    guard var row = context.archive(target).offsiteSummary(), let offsite = target.offsite else { continue }
                    if sizes[offsite.repository] == nil {
                        sizes[offsite.repository] = try? await OffsiteRepository(org: target, secrets: SecretLookup()).storedSize()
                    }
                    row.repository_bytes = sizes[offsite.repository] ?? nil
                    rows.append(row)
                }
                if output.json { try Output.json(rows) } else {
                    if rows.isEmpty { Output.line("no org has offsite: in \(policy.policy)") }
                    for row in rows { Output.line(Self.text(row)) }
                }
                if rows.contains(where: { $0.error != nil || $0.check_error != nil || $0.lag_backups > 1 }) { throw ExitCode.failure }
            }

            static func text(_ row: OffsiteSummary) -> String {
                var lines = ["\(row.org): off-site to \(row.repository)\(row.required ? " (required)" : "")"]
                if let at = row.last_copy, let backup = row.last_backup, let snapshot = row.last_snapshot {
                    lines.append("  last copy: \(backup) as snapshot \(snapshot), \(ISO8601DateFormatter().string(from: at))"
                                 + (row.last_bytes_added.map { ", \($0) bytes added" } ?? ""))
                } else {
                    lines.append("  last copy: none yet")
                }
                lines.append("  lag: \(row.lag_backups) backup\(row.lag_backups == 1 ? "" : "s") not yet off-site"
                             + (row.not_copied.isEmpty ? "" : " (\(row.not_copied.suffix(3).joined(separator: ", "))\(row.not_copied.count > 3 ? ", …" : ""))"))
                lines.append("  added by copies: \(row.bytes_added) bytes" + (row.repository_bytes.map { "; repository holds \($0) bytes" } ?? ""))
                if row.last_check != nil || row.check_error != nil {
                    let at = row.last_check.map { ISO8601DateFormatter().string(from: $0) } ?? "time not recorded"
                    lines.append("  last check: \(at)" + (row.check_error.map { " — FAILED: \($0); see `journalctl -u zoho-crm-backup MESSAGE_ID=\(MessageID.offsiteCheckFailed.rawValue)`" } ?? ", no errors"))
                }
                if let error = row.error {
                    lines.append("  FAILING (\(row.error_kind ?? "error")): \(error)")
                    if let hint = row.hint { lines.append("  what to do: \(hint)") }
                    if let next = row.next_attempt { lines.append("  next attempt: \(ISO8601DateFormatter().string(from: next))") }
                }
                return lines.joined(separator: "\n")
            }
        }

        /// `offsite snapshots`: the snapshots in the repository, from the policy or given directly.
        struct Snapshots: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the backups' snapshots in the off-site repository (the policy's, or --repository with --password-file).")
            @OptionGroup var policy: PolicyOption
            @OptionGroup var org: OrgOption
            @OptionGroup var repository: RepositoryOptions
            @OptionGroup var output: JSONOption

            func run() async throws {
                var rows: [OffsiteSnapshot] = []
                do {
                    for (repository, org) in try self.repository.repositories(policy: policy.policy, org: org.org) {
                        rows += try await repository.snapshots(org: org)
                    }
                } catch let error as OffsiteCommandError {
                    Output.error(error.description)
                    throw ExitCode.failure
                }
                if output.json { try Output.json(rows); return }
                if rows.isEmpty { Output.line("no snapshot yet") }
                for row in rows {
                    Output.line("\(row.short_id)  \(ISO8601DateFormatter().string(from: row.time))  \(row.org)  \(row.backup)")
                }
            }
        }
    }
}

/// `--repository` and `--password-file`: a repository named on the command line, with no
/// policy (the disaster-recovery path: the backup host is gone).
struct RepositoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A restic repository (a folder, s3:…, sftp:…, rest:…, rclone:…); no policy is read. Needs --password-file; a cloud store's keys come from restic's usual variables (AWS_ACCESS_KEY_ID, …).", valueName: "repo"))
    var repository: String?
    @Option(name: .customLong("password-file"), help: ArgumentHelp("The file holding the repository's password (with --repository).", valueName: "file"))
    var passwordFile: String?

    func validate() throws {
        if (repository == nil) != (passwordFile == nil) { throw ValidationError("--repository and --password-file go together") }
    }

    /// The repositories to read: the one given, or each chosen org's (once per repository),
    /// with the org whose snapshots to list (nil: all).
    func repositories(policy: String, org: String?) throws -> [(OffsiteRepository, String?)] {
        if let repository, let passwordFile {
            let variables = ProcessInfo.processInfo.environment.filter { !EnvironmentSecret.reserved.contains($0.key) || $0.key == "PATH" }
            return [(OffsiteRepository(repository: repository, passwordFile: passwordFile, environment: variables), org)]
        }
        let context = try ArchiveContext(policyPath: policy, org: org)
        // Per org (its snapshots carry its name as host), so a shared repository is listed once per org.
        var found: [(OffsiteRepository, String?)] = []
        for target in context.orgs where target.offsite != nil {
            found.append((try OffsiteRepository(org: target, secrets: SecretLookup()), target.name))
        }
        guard !found.isEmpty else {
            throw ValidationError("no chosen org has offsite: in \(policy); add one, or name a repository with --repository and --password-file")
        }
        return found
    }
}

extension ServiceUser {
    /// Run as root where the service user exists: hands `path` (a local repository just made)
    /// to that user, so the daemon can write into it.
    static func give(_ path: String) {
        guard getuid() == 0, let user = getpwnam(name) else { return }
        let uid = user.pointee.pw_uid, gid = user.pointee.pw_gid
        lchown(path, uid, gid)
        for case let child as String in FileManager.default.enumerator(atPath: path) ?? FileManager.DirectoryEnumerator() {
            lchown(path + "/" + child, uid, gid)
        }
    }
}
