import Foundation
import Testing

@Suite("zoho-crm-backup simulator")
struct SimulatorCommandTests {
    @Test func servesTheAPIItPrints() throws {
        let sim = try SimulatorProcess()
        defer { sim.stop() }
        #expect(sim.banner.contains("download_hosts: [\"\(sim.hostPort)\"]"))
        let token = try curl(["-s", "-X", "POST", sim.base + "/oauth/v2/token", "-d", "grant_type=refresh_token",
                              "-d", "client_id=\(sim.credentials["client_id"] ?? "")",
                              "-d", "client_secret=\(sim.credentials["client_secret"] ?? "")",
                              "-d", "refresh_token=\(sim.credentials["refresh_token"] ?? "")"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(token.utf8)) as? [String: Any])
        let access = try #require(answer["access_token"] as? String)
        let status = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Zoho-oauthtoken \(access)",
                               sim.base + "/crm/bulk/v7/backup"])
        #expect(status == "204", "a fresh simulator has no backup")
    }
}
