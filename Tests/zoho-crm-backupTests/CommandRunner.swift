import Foundation
import TestSupport

/// Runs the built `zoho-crm-backup` binary as a user would, capturing its output and status.
enum CommandRunner {
    typealias Result = ChildProcess.Result

    /// The binary beside the test bundle, or `ZOHO_CRM_BACKUP_BIN`.
    static let binary = ProcessInfo.processInfo.environment["ZOHO_CRM_BACKUP_BIN"] ?? ChildProcess.built("zoho-crm-backup")

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try ChildProcess.run(binary, arguments, environment: environment)
    }
}
