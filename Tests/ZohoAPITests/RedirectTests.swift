import Foundation
import NIOSSL
import Testing
import ZohoAPI
import ZohoModel
import ZohoSimulator

/// A redirect is never followed: the token must not reach a host the allow-list did not
/// approve, however Zoho's answer points there.
@Suite("Redirects are refused, never followed")
struct RedirectTests {
    @Test("an API answer redirecting elsewhere is refused; the other host sees nothing")
    func apiRedirect() async throws {
        try await Harness.run { h in
            let elsewhere = SimulatedZoho(clock: h.clock)
            try await SimulatorServer.withRunning(elsewhere) { other in
                await h.zoho.inject(Fault(.redirect(other + "/crm/bulk/v7/backup"), method: "GET", pathContains: "/crm/bulk/v7/backup"))
                do {
                    _ = try await h.client.backupInfo()
                    Issue.record("a redirect was followed")
                } catch let error as ZohoError {
                    #expect(error.kind == .linkRefused)
                    #expect(error.httpStatus == 302)
                    #expect(error.description.contains("redirected the request to 127.0.0.1"))
                }
                #expect(await elsewhere.requestLog.isEmpty)
            }
        }
    }

    @Test("a download redirecting elsewhere is refused, and the token is not sent there")
    func downloadRedirect() async throws {
        try await Harness.run { h in
            let link = try #require(try await DownloadContractTests.completedBackup(h).first)
            let elsewhere = SimulatedZoho(clock: h.clock)
            try await SimulatorServer.withRunning(elsewhere) { other in
                await h.zoho.inject(Fault(.redirect(other + "/v2/crm/1/backup/2/Data_001.zip"), pathContains: "/Data_001.zip", times: 5))
                #expect(await ZohoError.Kind.thrown { _ = try await h.client.download(link) { _, _, _ in } } == .linkRefused)
                #expect(await elsewhere.requestLog.isEmpty)
            }
        }
    }

    @Test func theClientFollowsNoRedirectAndDecompressesNothing() {
        let config = ZohoHTTPClient.configuration
        #expect("\(config.redirectConfiguration)".contains("disallow") || "\(String(reflecting: config.redirectConfiguration))".contains("disallow"))
        #expect("\(config.decompression)".contains("disabled"))
    }

    @Test("the one HTTP client checks certificates in full and refuses TLS below 1.2 (the library's default minimum is TLS 1.0)")
    func tlsMinimum() {
        let tls = ZohoHTTPClient.configuration.tlsConfiguration ?? TLSConfiguration.makeClientConfiguration()
        #expect(tls.minimumTLSVersion == .tlsv12)
        #expect(TLSConfiguration.makeClientConfiguration().minimumTLSVersion == .tlsv1, "the default this replaces")
        #expect(tls.certificateVerification == .fullVerification)
    }
}
