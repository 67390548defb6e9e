import Foundation
import Glibc
import Testing
import TestSupport

@Suite("sd_notify through a real NOTIFY_SOCKET")
struct NotifierTests {
    @Test func messagesArriveInOrder() throws {
        let socket = try NotifySocket()
        let r = try Run.probe(["ready:loading done", "status:2 orgs OK", "watchdog", "reloading", "ready", "stopping", "interval"],
                              environment: ["NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "1000000"])
        #expect(r.status == 0)
        #expect(r.stdout == "1000000\n", "the watchdog interval comes from WATCHDOG_USEC")
        let got = socket.receiveAll()
        #expect(got.count == 6)
        #expect(got.first == "READY=1\nSTATUS=loading done")
        #expect(got.dropFirst().first == "STATUS=2 orgs OK")
        #expect(got.dropFirst(2).first == "WATCHDOG=1")
        let reload = got.dropFirst(3).first ?? ""
        #expect(reload.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(UInt64(reload.split(separator: "=").last ?? "") ?? 0 > 0)
        #expect(Array(got.suffix(2)) == ["READY=1", "STOPPING=1"])
    }

    @Test func outsideSystemdNothingIsSentAndNothingFails() throws {
        let r = try Run.probe(["ready:x", "watchdog", "stopping", "interval"], environment: [:])
        #expect(r.status == 0)
        #expect(r.stdout == "off\n")
    }
}
