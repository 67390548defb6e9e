import ArgumentParser
import Foundation
import Glibc
import Supervisor
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
            let engine = view.worker(target)
            let request = await engine.requestImmediate(replaceSchedule: replaceSchedule)
            let say: (String) -> Void = request.outcome == .requested || request.outcome == .earlierRequest
                ? { Output.line("[\(target.name)] \($0)") } : { Output.error("[\(target.name)] \($0)") }
            request.lines.forEach(say)
            guard request.outcome == .requested || request.outcome == .earlierRequest else { throw ExitCode.failure }
            let daemonRuns = view.daemonRunning
            if request.replacedRule != nil, !daemonRuns, !wait {
                Output.line("[\(target.name)] no daemon is running: start it (systemctl start zoho-crm-backup) so that it restores the schedule once this backup completes.")
            }
            guard wait else {
                Output.line("It is archived by the daemon when Zoho completes it; `zoho-crm-backup status --org \(target.name)` shows where it is.")
                return
            }
            try await follow(request, engine: engine, org: target.name, daemonRuns: daemonRuns,
                             poll: poll, deadline: Date().addingTimeInterval(Double(limit.components.seconds)))
        }

        /// Follows the backup until it is archived, with a progress line.
        func follow(_ request: ImmediateRequest, engine: OrgWorker, org: String, daemonRuns: Bool, poll: Duration, deadline: Date) async throws {
            Output.line("[\(org)] waiting for Zoho to complete the backup…")
            Output.flush()
            let progress = ProgressLine()
            let ticker = Task {
                while !Task.isCancelled, !daemonRuns {
                    if let now = engine.downloadProgress() { progress.show(now) }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            let result = await engine.followImmediate(request, daemonRuns: daemonRuns, poll: poll, deadline: deadline) { event in
                switch event {
                case .completedInZoho(let id, true): Output.line("[\(org)] backup \(id) completed in Zoho; the daemon is downloading it…")
                case .completedInZoho(let id, false): Output.line("[\(org)] backup \(id) completed in Zoho; downloading it (no daemon is running)…")
                case .progress(let now): progress.show(now)
                case .scheduled(let rule): Output.line("[\(org)] made Zoho's schedule \(rule) again, as the policy says.")
                }
                Output.flush()
            }
            ticker.cancel()
            progress.finish()
            switch result {
            case .archived(let done):
                Output.line("[\(org)] archived and verified: \(done.folder) (\(done.parts) parts, \(ByteSize(bytes: done.bytes)))")
            case .failed(let why):
                Output.error("[\(org)] \(why)")
                throw ExitCode.failure
            case .gaveUp:
                Output.error("[\(org)] gave up waiting; the backup is still archived when it completes (`zoho-crm-backup status --org \(org)` shows it).")
                throw ExitCode.failure
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
    }
}

/// A one-line progress bar on a terminal (a line per part elsewhere), from a download's
/// progress in the archive. Safe: the only state, `lastParts`, is touched under `lock`.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var lastParts = -1
    private var drawn = false
    private let terminal = isatty(STDOUT_FILENO) == 1

    func show(_ progress: DownloadProgress) {
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
