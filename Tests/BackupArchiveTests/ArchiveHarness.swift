import AsyncHTTPClient
import BackupArchive
import Foundation
import TestSupport
import Logging
import Supervisor
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// The simulator on loopback, a client for it, and an archive folder in a temporary place.
struct ArchiveHarness: Sendable {
    let zoho: SimulatedZoho
    let client: ZohoClient
    let clock: ManualWallClock
    let root: String
    let source: ZohoPartSource

    static func run<T: Sendable>(_ configure: @Sendable (inout SimulatorConfig) -> Void = { _ in },
                                 _ body: @Sendable (ArchiveHarness) async throws -> T) async throws -> T {
        let clock = ManualWallClock(now: 1_795_167_000)
        let root = NSTemporaryDirectory() + "zcb-archive-\(UUID().uuidString)"
        var config = SimulatorConfig()
        config.content = BackupContent(folder: root + "/simulator-content")
        configure(&config)
        let zoho = SimulatedZoho(config: config, clock: clock)
        let transport = AHCTransport(client: HTTPClient.shared)
        let defaults = SimulatorConfig()
        return try await SimulatorServer.withRunning(zoho) { base in
            let tokens = TokenProvider(org: "acme", credentials: OAuthCredentials(clientID: defaults.clientID, clientSecret: defaults.clientSecret,
                                                                                 refreshToken: defaults.refreshToken),
                                       accountsURL: base, cacheDirectory: root + "/state/acme", transport: transport, clock: clock,
                                       logger: Logger(label: "test"))
            let client = ZohoClient(org: "acme", endpoints: ZohoEndpoints(accounts: base, api: base, downloadHosts: [String(base.dropFirst(7))]),
                                    tokens: tokens, transport: transport, clock: clock, jitter: { 0.5 }, logger: Logger(label: "test"))
            return try await body(ArchiveHarness(zoho: zoho, client: client, clock: clock, root: root, source: ZohoPartSource(client: client)))
        }
    }

    /// Asks for an immediate backup, lets it complete, and returns the job from its links.
    func completedJob() async throws -> JobSpec {
        _ = try await client.schedule(nil)
        clock.advance(by: .seconds(3))
        guard let urls = try await client.downloadURLs() else { throw CocoaError(.fileNoSuchFile) }
        return try JobSpec.fromLinks(urls.allLinks, org: "acme", completedAt: clock.date, linksExpiry: urls.expiryDate)
    }

    func folder(faults: FaultPoints = .none, minFree: ByteSize = ByteSize(bytes: 0), path: String? = nil) -> ArchiveFolder {
        ArchiveFolder(path: path ?? root + "/archive", org: "acme", minFree: minFree, faults: faults, logger: Logger(label: "test"))
    }

    /// The bytes the simulator serves for a link, fetched straight through the client.
    func served(_ link: String) async throws -> Data {
        let box = Box()
        _ = try await client.download(link) { _, _, bytes in box.data.append(contentsOf: bytes) }
        return box.data
    }

    /// Safe: used by one task at a time (the download's sink), read after it returns.
    final class Box: @unchecked Sendable {
        var data = Data()
    }
}

/// Runs a command and returns its status and output (stdout, then stderr).
func run(_ path: String, _ arguments: [String], in folder: String? = nil) throws -> (status: Int32, output: String) {
    let r = try ChildProcess.run(path, arguments, in: folder)
    return (r.status, r.all)
}

func mode(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? NSNumber)?.intValue ?? -1
}
