import Foundation
import ZohoModel

/// How the simulated Zoho behaves: the one org it serves, its credentials, and the knobs
/// tests turn (job duration, quota, link lifetime, parts).
public struct SimulatorConfig: Sendable {
    public var clientID = "1000.SIMULATORCLIENT"
    public var clientSecret = "simulator-client-secret"
    public var refreshToken = "1000.simulatorrefresh0000000000000000.simulatorrefresh0000000000000000"
    /// The org's Zoho id, the first segment of download links.
    public var zgid = "757345985"
    /// The Zoho user's zone: dates are written with its offset, as Zoho does.
    public var userTimeZone = TimeZone(identifier: "Asia/Kolkata") ?? .current
    /// How long a backup runs before it completes.
    public var jobDuration: Duration = .seconds(2)
    /// Backups per calendar month (in the user's zone); Zoho's editions give 2–4.
    public var monthlyQuota = 4
    /// How long download links live after completion.
    public var linkLifetime: Duration = .seconds(7 * 86_400)
    /// How long an access token lives.
    public var tokenLifetime: Duration = .seconds(3_600)
    /// Parts of each completed backup.
    public var dataParts = 2
    public var attachmentParts = 1
    /// Seed of everything random (ids, contents).
    public var seed: UInt64 = 1
    /// Files served instead of generated parts, by part name (`Data_001.zip` → a path): for
    /// benchmarks with a realistic part.
    public var partFiles: [String: String] = [:]
    /// What the backups hold (records per module, attachment sizes) and where the zips are cached.
    public var content = BackupContent(folder: NSTemporaryDirectory() + "zoho-simulator-content")

    public init() {}
}
