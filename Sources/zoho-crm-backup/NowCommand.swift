import ArgumentParser
import AsyncHTTPClient
import BackupArchive
import Foundation
import Glibc
import Logging
import Policy
import Reconcile
import Supervisor
import ZohoAPI
import ZohoModel

extension ZohoCRMBackup {
    struct Now: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Request an immediate backup (spends one of Zoho's monthly backups).",
            discussion: """
                Asks for confirmation on a terminal unless --yes; never waits for input without one. \
                Zoho allows one backup at a time: with a recurring schedule in place, --replace-schedule \
                cancels it, runs the immediate backup, and the daemon restores the policy's schedule once \
                it completes. With --wait, follows the backup until it is in the archive: a running daemon \
                downloads it, otherwise this command does.
                """)
        @OptionGroup var policy: PolicyOption
        @OptionGroup var org: OrgOption
        @Flag(name: .long, help: "Follow the backup until it is archived, with progress.")
        var wait = false
        @Flag(name: .long, help: "Do not ask for confirmation.")
        var yes = false
        @Flag(name: .long, help: "Cancel the recurring schedule for this backup; it is restored once the backup completes.")
        var replaceSchedule = false
        @Option(name: .long, help: ArgumentHelp("How often --wait looks at Zoho and the archive.", visibility: .hidden))
        var pollEvery: String = "5s"
        @Option(name: .long, help: ArgumentHelp("How long --wait waits at most.", visibility: .hidden))
        var waitLimit: String = "12h"

        func run() async throws {
            let view = try DaemonView(policyPath: policy.policy, org: org.org, command: "now")
            guard view.orgs.count == 1, let target = view.orgs.first else {
                throw ValidationError("--org is required: \(view.policy.file) has \(view.orgs.count) orgs (\(view.orgs.map(\.name).joined(separator: ", ")))")
            }
            guard let poll = TimeSpan.parse(pollEvery), let limit = TimeSpan.parse(waitLimit) else {
                throw ValidationError("--poll-every and --wait-limit take durations such as 5s or 12h")
            }
            Output.error("This asks Zoho for an immediate backup of \(target.name). It spends one of the backups Zoho allows per month (2 to 4 depending on the edition, more if bought).")
            try confirm()

            // DaemonView read the credentials (as root they may be root's alone) and gave up root.
            let client = try makeClient(target, stateDir: view.policy.stateDir, credentials: view.credentials)
            let store = StateStore(stateDir: view.policy.stateDir, org: target.name)
            guard let lock = try await store.lock(timeout: .seconds(30)) else {
                Output.error("[\(target.name)] the daemon is busy with this org (\(store.lockPath)); try again in a moment. Nothing was requested.")
                throw ExitCode.failure
            }
            let request: (id: String, linksBefore: String?, replaced: String?)
            do {
                defer { lock.unlock() }
                request = try await requestBackup(target, client: client)
            }
            Output.line("[\(target.name)] Zoho accepted the request: immediate backup \(request.id).")
            if request.replaced != nil, !view.daemonRunning, !wait {
                Output.line("[\(target.name)] no daemon is running: start it (systemctl start zoho-crm-backup) so that it restores the schedule once this backup completes.")
            }
            guard wait else {
                Output.line("It is archived by the daemon when Zoho completes it; `zoho-crm-backup status --org \(target.name)` shows where it is.")
                return
            }
            let deadline = Date().addingTimeInterval(Double(limit.components.seconds))
            let links = try await waitForLinks(target, client: client, request: request, poll: poll, deadline: deadline)
            if view.daemonRunning {
                try await watchDaemon(target, jobID: links.jobID, poll: poll, deadline: deadline)
            } else {
                try await archiveHere(target, links: links, client: client, store: store)
                if request.replaced != nil, case .rrule(let rule) = target.schedule {
                    guard let lock = try await store.lock(timeout: .seconds(30)) else { return }
                    defer { lock.unlock() }
                    do {
                        _ = try await client.schedule(rule)
                        Output.line("[\(target.name)] restored Zoho's schedule \(rule.normalized).")
                    } catch {
                        Output.error("\(error.description)\nThe daemon makes the schedule when it next runs.")
                    }
                }
            }
        }

        /// Asks on a terminal unless --yes; refuses without a terminal.
        func confirm() throws {
            guard !yes else { return }
            guard isatty(STDIN_FILENO) == 1 else {
                Output.error("Not asking: no terminal to answer on. Add --yes to request the backup. Nothing was requested.")
                throw ExitCode.validationFailure
            }
            FileHandle.standardError.write(Data("Request it? [y/N] ".utf8))
            let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                Output.error("Nothing was requested.")
                throw ExitCode.failure
            }
        }

        func makeClient(_ target: OrgPolicy, stateDir: String, credentials lookup: CredentialsLookup) throws -> ZohoClient {
            do {
                let credentials = try lookup.load(target.credentials, org: target.name)
                var logger = Logger(label: "zoho-crm-backup.now")
                logger.logLevel = .error
                return OrgConnection.client(for: target, credentials: credentials, stateDir: stateDir, http: ZohoHTTPClient.shared, logger: logger)
            } catch {
                Output.error("[\(target.name)] \(error.message)")
                throw ExitCode.failure
            }
        }

        /// Checks Zoho's state, cancels the recurring schedule if asked, and POSTs. Held under the org's lock.
        func requestBackup(_ target: OrgPolicy, client: ZohoClient) async throws -> (id: String, linksBefore: String?, replaced: String?) {
            do {
                let job = try await client.backupInfo()
                let linksBefore = RemoteObservation(job: nil, urls: try await client.downloadURLs(), observedAt: Date()).linksJobID
                var replaced: String?
                if let job, job.isPendingImmediate {
                    Output.error("[\(target.name)] a one-off backup (job \(job.id), \(job.status)) is already pending in Zoho; it is archived when it completes. Nothing was requested.")
                    throw ExitCode.failure
                }
                if let job, job.isActiveRecurring {
                    let next = job.scheduledDate.map { ", next run \(DaemonView.time($0))" } ?? ""
                    if job.status == .inProgress {
                        Output.error("[\(target.name)] Zoho is running the scheduled backup (\(job.rrule ?? "")) now; it is archived when it completes. Nothing was requested.")
                        throw ExitCode.failure
                    }
                    guard replaceSchedule else {
                        Output.error("[\(target.name)] Zoho allows one backup at a time and this org has the recurring schedule \(job.rrule ?? "")\(next). Run again with --replace-schedule: it cancels the schedule, runs this backup, and the schedule is restored once it completes. Nothing was requested.")
                        throw ExitCode.failure
                    }
                    guard case .rrule = target.schedule else {
                        Output.error("[\(target.name)] --replace-schedule restores the policy's schedule, but this org's schedule is `\(target.schedule)`: the daemon would not restore \(job.rrule ?? "Zoho's schedule"). Cancel it in Zoho's web UI instead, and schedule it again there afterwards. Nothing was requested.")
                        throw ExitCode.failure
                    }
                    try await client.cancel(jobID: job.id)
                    replaced = job.rrule
                    Output.line("[\(target.name)] cancelled the recurring schedule \(job.rrule ?? "") (job \(job.id)); it is restored once this backup completes.")
                }
                let id = try await client.schedule(nil)
                return (id, linksBefore, replaced)
            } catch let error as ZohoError {
                Output.error(error.kind == .ambiguousPost
                             ? "\(error.description) Run `zoho-crm-backup status --org \(target.name)` before trying again."
                             : error.description)
                throw ExitCode.failure
            }
        }

        /// Waits until Zoho lists the links of a backup newer than the ones before the request.
        func waitForLinks(_ target: OrgPolicy, client: ZohoClient, request: (id: String, linksBefore: String?, replaced: String?),
                          poll: Duration, deadline: Date) async throws -> (jobID: String, urls: BackupURLs) {
            Output.line("[\(target.name)] waiting for Zoho to complete the backup…")
            Output.flush()
            while Date() < deadline {
                do {
                    let urls = try await client.downloadURLs()
                    let observed = RemoteObservation(job: nil, urls: urls, observedAt: Date())
                    if let id = observed.linksJobID, id != request.linksBefore, let urls { return (id, urls) }
                    if let job = try await client.backupInfo(), job.id == request.id, job.status == .failed {
                        Output.error("[\(target.name)] Zoho reports that backup \(request.id) failed (Zoho's history may say why: zoho-crm-backup history --org \(target.name)).")
                        throw ExitCode.failure
                    }
                } catch let error as ZohoError where error.isTransient {
                    Output.error("\(error.description)")
                }
                try await Task.sleep(for: poll)
            }
            Output.error("[\(target.name)] gave up waiting; the backup is still archived when it completes (`status` shows it).")
            throw ExitCode.failure
        }

        /// A daemon runs: it downloads; show its progress from the archive's `.partial/`.
        func watchDaemon(_ target: OrgPolicy, jobID: String, poll: Duration, deadline: Date) async throws {
            Output.line("[\(target.name)] backup \(jobID) completed in Zoho; the daemon is downloading it…")
            let folder = ArchiveFolder(path: target.archive.path, org: target.name, minFree: target.archive.minFree, logger: Logger(label: "zoho-crm-backup"))
            let progress = ProgressLine()
            while Date() < deadline {
                if let done = folder.backup(jobID: jobID) {
                    progress.finish()
                    report(done, org: target.name)
                    return
                }
                progress.show(folder.progress(jobID: jobID))
                try await Task.sleep(for: min(poll, .seconds(1)))
            }
            progress.finish()
            Output.error("[\(target.name)] gave up waiting for the daemon; see `zoho-crm-backup status --org \(target.name)` and the journal.")
            throw ExitCode.failure
        }

        /// No daemon runs: download, verify and commit here, under the org's lock.
        func archiveHere(_ target: OrgPolicy, links: (jobID: String, urls: BackupURLs), client: ZohoClient, store: StateStore) async throws {
            Output.line("[\(target.name)] backup \(links.jobID) completed in Zoho; downloading it (no daemon is running)…")
            let all = links.urls.allLinks
            let chosen = Desired(target).archivedLinks(all)
            guard let lock = try await store.lock(timeout: .seconds(60)) else {
                Output.error("[\(target.name)] another command holds \(store.lockPath); the backup is archived by the daemon when it runs.")
                throw ExitCode.failure
            }
            defer { lock.unlock() }
            let folder = ArchiveFolder(path: target.archive.path, org: target.name, minFree: target.archive.minFree, logger: Logger(label: "zoho-crm-backup"))
            let progress = ProgressLine()
            let jobID = links.jobID
            let ticker = Task {
                while !Task.isCancelled {
                    progress.show(folder.progress(jobID: jobID))
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            defer { ticker.cancel() }
            do {
                let spec = try JobSpec.fromLinks(chosen, org: target.name, completedAt: Date(), linksExpiry: links.urls.expiryDate)
                let done = try await folder.archive(spec, from: ZohoPartSource(client: client), now: Date())
                ticker.cancel()
                progress.finish()
                report(done, org: target.name)
            } catch {
                ticker.cancel()
                progress.finish()
                Output.error("\(error.description)")
                throw ExitCode.failure
            }
        }

        func report(_ backup: ArchivedBackup, org: String) {
            let m = backup.manifest
            Output.line("[\(org)] archived and verified: \(backup.folder) (\(m.files.count) parts, \(ByteSize(bytes: m.totalSize)))")
        }
    }
}

/// A one-line progress bar on a terminal (a line per part elsewhere), from a download's
/// progress in the archive. Safe: the only state, `lastParts`, is touched under `lock`.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastParts = -1
    private var drawn = false
    private let terminal = isatty(STDOUT_FILENO) == 1

    func show(_ progress: PartialProgress) {
        let (files, bytes, newest) = (progress.files, progress.bytes, progress.newest)
        lock.withLock {
            if terminal {
                let text = "\r  \(newest ?? "starting") — \(files) part\(files == 1 ? "" : "s") begun, \(ByteSize(bytes: bytes)) so far   "
                FileHandle.standardOutput.write(Data(text.utf8))
                drawn = true
            } else if files != lastParts, let current = newest {
                Output.line("  downloading \(current)")
                Output.flush()
            }
            lastParts = files
        }
    }

    func finish() {
        lock.withLock {
            if drawn { FileHandle.standardOutput.write(Data("\n".utf8)) }
            drawn = false
        }
    }
}
