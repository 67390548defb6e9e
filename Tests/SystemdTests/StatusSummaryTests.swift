import Foundation
import Systemd
import Testing

@Suite("STATUS= line")
struct StatusSummaryTests {
    static let friday = Date(timeIntervalSince1970: 1_795_771_800)  // 2026-11-27 09:30 UTC

    @Test(arguments: [
        (StatusSummary(orgsOK: [], orgsFailing: []), "no orgs configured"),
        (StatusSummary(orgsOK: ["acme"], orgsFailing: []), "1 org OK"),
        (StatusSummary(orgsOK: ["acme", "initech"], orgsFailing: ["globex"], nextBackup: ("acme", friday)),
         "2 orgs OK, 1 failing (globex); next backup acme 2026-11-27 09:30 UTC"),
        (StatusSummary(orgsOK: ["acme"], orgsFailing: [],
                       downloads: [.init(org: "acme", partsDone: 3, partsTotal: 5, bytesDone: 1_288_490_189, bytesTotal: 3_221_225_472)]),
         "1 org OK; downloading acme 3/5 parts, 1.2GiB/3GiB"),
        (StatusSummary(orgsOK: [], orgsFailing: ["a", "b"],
                       downloads: [.init(org: "a", partsDone: 0, partsTotal: 2, bytesDone: 512, bytesTotal: nil)]),
         "0 orgs OK, 2 failing (a, b); downloading a 0/2 parts, 512B"),
    ])
    func line(_ summary: StatusSummary, _ expected: String) {
        #expect(summary.line == expected)
        #expect(!summary.line.contains("\n"))
    }
}
