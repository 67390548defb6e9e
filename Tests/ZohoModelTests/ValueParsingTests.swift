import Testing
import ZohoModel

@Suite("Durations, sizes, data centres")
struct ValueParsingTests {
    @Test(arguments: [
        ("1s", 1), ("15m", 900), ("2h", 7_200), ("9d", 777_600), ("2w", 1_209_600), ("1h30m", 5_400), ("0s", 0),
    ])
    func durations(_ text: String, _ seconds: Int) {
        #expect(TimeSpan.parse(text) == .seconds(seconds))
    }

    @Test(arguments: ["", "15", "m", "15x", "1.5h", "-5m", "15 m", "30m1h", "1h1h", "99999999999d"])
    func badDurations(_ text: String) {
        #expect(TimeSpan.parse(text) == nil)
    }

    @Test func formatsDurations() {
        #expect(TimeSpan.format(.seconds(777_600)) == "9d")
        #expect(TimeSpan.format(.seconds(90_061)) == "1d1h1m1s")
        #expect(TimeSpan.format(.seconds(5_400)) == "1h30m")
        #expect(TimeSpan.format(.zero) == "0s")
    }

    @Test(arguments: [(String, Int64)]([
        ("0", 0), ("512", 512), ("1KiB", 1_024), ("5GiB", 5 * 1_073_741_824), ("1.5MiB", 1_572_864),
        ("500MB", 500_000_000), ("1GB", 1_000_000_000), ("2TiB", 2 * 1_099_511_627_776), ("10B", 10),
    ]))
    func sizes(_ text: String, _ bytes: Int64) {
        #expect(ByteSize(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "GiB", "5 GiB", "5gib", "-1GiB", "1..5GiB", ".5GiB", "5PiB", "10000000TiB", "1e3"])
    func badSizes(_ text: String) {
        #expect(ByteSize(parsing: text) == nil)
    }

    @Test func describesSizes() {
        #expect(ByteSize(bytes: 1 << 30).description == "1GiB")
        #expect(ByteSize(bytes: 1_572_864).description == "1.5MiB")
        #expect(ByteSize(bytes: 512).description == "512B")
    }

    @Test func nineDataCentres() {
        #expect(DataCenter.allCases.map(\.rawValue) == ["us", "eu", "in", "au", "jp", "ca", "cn", "sa", "uk"])
        #expect(DataCenter.us.accountsURL == "https://accounts.zoho.com")
        #expect(DataCenter.ca.accountsURL == "https://accounts.zohocloud.ca")
        #expect(DataCenter.ca.downloadHosts == ["download-accl.zohocloud.ca", "download.zohocloud.ca"])
        #expect(DataCenter.au.apiURL == "https://www.zohoapis.com.au")
        #expect(DataCenter.cn.accountsURL == "https://accounts.zoho.com.cn")
    }
}
