import Testing
import ZohoAPI
import ZohoModel

@Suite("Download links")
struct LinkGuardTests {
    let guardUS = LinkGuard(allowedHosts: DataCenter.us.downloadHosts + ["127.0.0.1:8080"])

    @Test func parsesZohosSampleLink() throws {
        let link = try #require(DownloadLink("https://download-accl.zoho.com/v2/crm/757345985/backup/4876876000001594004/Data_001.zip"))
        #expect(link.zgid == "757345985")
        #expect(link.jobID == "4876876000001594004")
        #expect(link.fileName == "Data_001.zip")
        #expect(link.kind == .data)
        #expect(link.number == 1)
        let attachments = try #require(DownloadLink("https://download.zoho.com/v2/crm/1/backup/2/Attachments_012.zip"))
        #expect(attachments.kind == .attachments)
        #expect(attachments.number == 12)
    }

    @Test(arguments: [
        "https://download-accl.zoho.com/v2/crm/1/backup/2/../Data_001.zip",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/%2E%2E%2FData_001.zip",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/Data_001.zip/extra",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/data_001.zip",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/Data_1.zip",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/Data_000.zip",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/Data_001.tar",
        "https://download-accl.zoho.com/v2/crm/1/backup/2/Notes_001.zip",
        "https://download-accl.zoho.com/v2/crm/1/backups/2/Data_001.zip",
        "https://download-accl.zoho.com/v2/crm/a.b/backup/2/Data_001.zip",
        "https://user:pw@download-accl.zoho.com/v2/crm/1/backup/2/Data_001.zip",
        "ftp://download-accl.zoho.com/v2/crm/1/backup/2/Data_001.zip",
        "not a url",
    ])
    func refusesUnsafeOrForeignShapes(_ url: String) {
        #expect(DownloadLink(url) == nil)
        guard case .failure(.malformed) = guardUS.check(url) else {
            Issue.record("\(url) should be refused as malformed")
            return
        }
    }

    @Test func followsOnlyAllowedHosts() {
        let ok = "https://download-accl.zoho.com/v2/crm/1/backup/2/Data_001.zip"
        #expect((try? guardUS.check(ok).get())?.jobID == "2")
        #expect((try? guardUS.check("https://DOWNLOAD.zoho.com:443/v2/crm/1/backup/2/Data_001.zip").get()) != nil)
        #expect((try? guardUS.check("http://127.0.0.1:8080/v2/crm/1/backup/2/Data_001.zip").get()) != nil)

        let evil = guardUS.check("https://download-accl.zoho.com.evil.example/v2/crm/1/backup/2/Data_001.zip")
        guard case .failure(let refusal) = evil, case .hostNotAllowed(let host, _) = refusal else {
            Issue.record("a look-alike host must be refused")
            return
        }
        #expect(host == "download-accl.zoho.com.evil.example")
        #expect(refusal.description.contains("endpoints.download_hosts"))

        guard case .failure(.hostNotAllowed) = guardUS.check("http://127.0.0.1:9999/v2/crm/1/backup/2/Data_001.zip") else {
            Issue.record("a port must match when the allow-list names one")
            return
        }
        guard case .failure(.hostNotAllowed) = guardUS.check("https://download-accl.zoho.eu/v2/crm/1/backup/2/Data_001.zip") else {
            Issue.record("another data centre's host is not allowed")
            return
        }
        guard case .failure(.insecureScheme) = guardUS.check("http://download.zoho.com/v2/crm/1/backup/2/Data_001.zip") else {
            Issue.record("plain http to a public host is refused")
            return
        }
    }
}
