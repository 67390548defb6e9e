import Foundation
import TestSupport

/// Runs helper programs for the Systemd tests and captures what they print.
enum Run {
    typealias Result = ChildProcess.Result

    /// The `systemd-probe` test helper, built beside the test bundle.
    static var probePath: String { ChildProcess.built("systemd-probe") }

    static func probe(_ arguments: [String], environment: [String: String]) throws -> Result {
        try command(probePath, arguments, environment: environment)
    }

    /// Runs `path` with `arguments`; the process environment minus systemd's variables, plus `environment`.
    static func command(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try ChildProcess.run(path, arguments, environment: environment)
    }
}

/// A refresh token's shape, as the probe writes it into a too-open credentials file.
let probeSecret = "1000.0123456789abcdef0123456789abcdef.fedcba9876543210fedcba9876543210"
