import Foundation
import Glibc
import Testing

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

/// An AF_UNIX datagram socket bound in /tmp, as systemd's notify socket.
final class NotifySocket {
    let path: String
    let fd: Int32

    init() throws {
        path = "/tmp/zcb-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Every datagram waiting, until none arrives for 200 ms.
    func receiveAll() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { return messages }
            messages.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

