import BackupArchive
import Foundation
import Testing

@Suite("CRC-32 through zlib")
struct CRC32Tests {
    @Test(arguments: [
        ("", UInt32(0)),
        ("123456789", 0xCBF4_3926),  // the standard check value
        ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
    ])
    func knownValues(_ text: String, _ expected: UInt32) {
        #expect(CRC32.checksum(Data(text.utf8)) == expected)
    }

    @Test func incrementalEqualsWhole() {
        let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var crc = CRC32()
        for start in stride(from: 0, to: data.count, by: 7_777) {
            crc.update(data[start..<min(start + 7_777, data.count)])
        }
        #expect(crc.value == CRC32.checksum(data))
    }

    @Test func agreesWithUnzip() throws {
        // A stored zip made by hand: unzip -t checks the CRC we computed.
        let content = Data("hello, zoho\n".utf8)
        let crc = CRC32.checksum(content)
        let zip = StoredZip.make(name: "a.txt", content: content, crc: crc)
        let folder = NSTemporaryDirectory() + "zcb-crc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/t.zip"
        try zip.write(to: URL(fileURLWithPath: path))
        #expect(try runUnzipTest(path) == 0)
        // The same zip with a wrong CRC fails unzip's test: the check is real.
        try StoredZip.make(name: "a.txt", content: content, crc: crc ^ 1).write(to: URL(fileURLWithPath: path))
        #expect(try runUnzipTest(path) != 0)
    }

    func runUnzipTest(_ path: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        p.arguments = ["-tq", path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// A one-entry zip with the entry stored (not compressed).
enum StoredZip {
    static func make(name: String, content: Data, crc: UInt32) -> Data {
        var d = Data()
        func u16(_ v: Int) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)]) }
        func u32(_ v: UInt32) { for i in 0..<4 { d.append(UInt8(v >> (8 * i) & 0xFF)) } }
        let nameBytes = Data(name.utf8)
        u32(0x0403_4B50); u16(10); u16(0); u16(0); u16(0); u16(0)
        u32(crc); u32(UInt32(content.count)); u32(UInt32(content.count)); u16(nameBytes.count); u16(0)
        d.append(nameBytes); d.append(content)
        let central = d.count
        u32(0x0201_4B50); u16(20); u16(10); u16(0); u16(0); u16(0); u16(0)
        u32(crc); u32(UInt32(content.count)); u32(UInt32(content.count)); u16(nameBytes.count)
        u16(0); u16(0); u16(0); u16(0); u32(0); u32(0)
        d.append(nameBytes)
        let centralSize = d.count - central
        u32(0x0605_4B50); u16(0); u16(0); u16(1); u16(1); u32(UInt32(centralSize)); u32(UInt32(central)); u16(0)
        return d
    }
}
