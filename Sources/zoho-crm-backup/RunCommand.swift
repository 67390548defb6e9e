import ArgumentParser
import Foundation
import Logging
import Policy
import ServiceLifecycle
import Supervisor
import Systemd
import ZohoModel

extension ZohoCRMBackup {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daemon in the foreground (systemd's ExecStart).",
            discussion: """
                Keeps each org's Zoho schedule equal to the policy, downloads every completed backup, \
                verifies it, archives it and applies retention. SIGHUP reloads the policy (an invalid one \
                is reported and the old one stays); SIGTERM and SIGINT stop at a resumable point. Logs go \
                to the journal under systemd, to stderr otherwise.
                """)
        @OptionGroup var policy: PolicyOption
        @Flag(name: .long, help: ArgumentHelp("Poll at exact intervals, without jitter (benchmarks).", visibility: .hidden))
        var noJitter = false

        func run() async throws {
            ProcessHardening.forbidCoreDumps()
            LoggingSystem.bootstrap { label in LogDestination.detect().makeHandler(label: label, level: .info) }
            let logger = Logger(label: "zoho-crm-backup")
            let loaded: Policy
            do { loaded = try PolicyLoader().load(path: policy.policy) } catch {
                Output.error("the policy cannot be used; nothing was started:\n\(error.description)")
                throw ExitCode.failure
            }
            let runLock: FileLock
            do { runLock = try RunLock.acquire(stateDir: loaded.stateDir) } catch {
                Output.error(error.description)
                throw ExitCode.failure
            }
            defer { runLock.unlock() }
            let environment = SupervisorEnvironment.daemon(logger: logger, jitter: !noJitter)
            let supervisor = Supervisor(policy: loaded, environment: environment, notifier: Notifier())
            let group = ServiceGroup(services: [supervisor], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            do { try await group.run() } catch {
                logger.critical("the daemon stopped on an error: \(error)")
                throw ExitCode.failure
            }
        }
    }
}
