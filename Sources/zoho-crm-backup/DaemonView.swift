import Foundation
import Logging
import Policy
import Supervisor
import ZohoModel

/// What the read-only commands (`plan`, `status`) share: the policy, the chosen orgs, and
/// workers that observe without acting (logging only what is critical; the commands print
/// the errors themselves).
struct DaemonView {
    let policy: Policy
    let orgs: [OrgPolicy]

    /// The credentials, read when the view was made (see ``ServiceUser/readCredentialsThenDropRoot(_:command:)``).
    let credentials: CredentialsLookup

    /// - Parameter command: the command's name, for messages.
    init(policyPath: String, org: String?, command: String) throws {
        let context = try ArchiveContext(policyPath: policyPath, org: org)
        policy = context.policy
        orgs = context.orgs
        credentials = try ServiceUser.readCredentialsThenDropRoot(orgs, command: command)
    }

    /// True while a daemon holds `<state_dir>/run.lock`.
    var daemonRunning: Bool { FileLock.isHeld(policy.stateDir + "/run.lock") }

    func worker(_ org: OrgPolicy) -> OrgWorker {
        var logger = Logger(label: "zoho-crm-backup")
        logger.logLevel = .critical
        let environment = SupervisorEnvironment.command(credentials: credentials, logger: logger)
        return OrgWorker(policy: org, stateDir: policy.stateDir, environment: environment,
                         slots: DownloadSlots(limit: 1))
    }

    /// `2026-11-27 09:30 UTC`.
    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " UTC"
    }

    /// `3d4h`, `5h12m`, `42s`: an age, rounded to what a reader needs.
    static func age(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return "\(s / 60)m"
        case ..<86_400: return "\(s / 3600)h\(s % 3600 / 60)m"
        default: return "\(s / 86_400)d\(s % 86_400 / 3600)h"
        }
    }
}
