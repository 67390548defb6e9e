import AsyncHTTPClient
import Foundation
import Logging
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// A simulated Zoho on loopback and a client for it, on a manual clock (no real waiting).
struct Harness: Sendable {
    let zoho: SimulatedZoho
    let client: ZohoClient
    let tokens: TokenProvider
    let clock: ManualWallClock
    let base: String
    let stateDir: String
    let transport: AHCTransport

    /// 2026-11-20T09:30:00Z, a Friday.
    static let start: Double = 1_795_167_000

    static func run<T: Sendable>(_ configure: @Sendable (inout SimulatorConfig) -> Void = { _ in },
                                 _ body: @Sendable (Harness) async throws -> T) async throws -> T {
        let clock = ManualWallClock(now: start)
        let folder = NSTemporaryDirectory() + "zcb-sim-\(UUID().uuidString)"
        var config = SimulatorConfig()
        config.content = BackupContent(folder: folder + "/content")
        configure(&config)
        let zoho = SimulatedZoho(config: config, clock: clock)
        let transport = AHCTransport(client: ZohoHTTPClient.shared)
        return try await SimulatorServer.withRunning(zoho) { base in
            let stateDir = folder + "/state/acme"
            let tokens = TokenProvider(org: "acme", credentials: credentials(SimulatorConfig()), accountsURL: base,
                                       cacheDirectory: stateDir, transport: transport, clock: clock, logger: Logger(label: "test"))
            let host = String(base.dropFirst("http://".count))
            let client = ZohoClient(org: "acme", endpoints: ZohoEndpoints(accounts: base, api: base, downloadHosts: [host]),
                                    tokens: tokens, transport: transport, clock: clock, jitter: { 0.5 }, logger: Logger(label: "test"))
            return try await body(Harness(zoho: zoho, client: client, tokens: tokens, clock: clock, base: base,
                                          stateDir: stateDir, transport: transport))
        }
    }

    static func credentials(_ config: SimulatorConfig) -> OAuthCredentials {
        OAuthCredentials(clientID: config.clientID, clientSecret: config.clientSecret, refreshToken: config.refreshToken)
    }

    /// Another process's view: its own token provider on the same state folder.
    func secondProvider() -> TokenProvider {
        TokenProvider(org: "acme", credentials: Harness.credentials(SimulatorConfig()), accountsURL: base, cacheDirectory: stateDir,
                      transport: transport, clock: clock, logger: Logger(label: "test-2"))
    }

    /// Sends a raw request with a valid token (for shapes the typed client never sends).
    func raw(_ method: String, _ path: String, body: String? = nil) async throws -> HTTPResponse {
        let token = try await tokens.accessToken()
        return try await transport.send(HTTPRequest(method: method, url: base + path,
                                                    headers: [("Authorization", "Zoho-oauthtoken \(token)")],
                                                    body: body.map { Data($0.utf8) }))
    }
}

extension ZohoError.Kind {
    /// The kind of the ZohoError `body` throws, or nil when it does not throw one.
    static func thrown(by body: () async throws -> Void) async -> ZohoError.Kind? {
        do {
            try await body()
            return nil
        } catch let error as ZohoError {
            return error.kind
        } catch {
            return nil
        }
    }
}
