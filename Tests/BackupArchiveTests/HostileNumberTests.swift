import BackupArchive
import Foundation
import Logging
import Testing
import TestSupport
import ZohoModel

/// Numbers a server or a zip can carry that overflow 64-bit arithmetic: each is an error for
/// that part, never a trap (a trap under `Restart=on-failure` is a crash loop for every org).
@Suite("Hostile numbers")
struct HostileNumberTests {
    static func verifyFails(_ zip: HostileZip, _ label: String) async throws -> String {
        let path = try zip.write(label)
        defer { unlink(path) }
        do {
            _ = try await ZipVerifier.verify(path: path)
            return "verified"
        } catch {
            return error.description
        }
    }

    @Test("ZipDirectory.read: a zip64 locator pointing past 2^63 is refused")
    func zip64LocatorAbove2To63() async throws {
        var zip = HostileZip()
        let offset = zip.local(name: "a.csv")
        zip.directory([.init(name: "a.csv", localHeaderOffset: offset)], zip64: (nil, nil, nil, recordAt: 0x8000_0000_0000_0000))
        let result = try await Self.verifyFails(zip, "locator")
        #expect(result != "verified")
    }

    @Test("ZipDirectory.read: a central-directory offset + size that overflows is refused")
    func directoryOffsetPlusSizeOverflows() async throws {
        var zip = HostileZip()
        let offset = zip.local(name: "a.csv")
        zip.directory([.init(name: "a.csv", localHeaderOffset: offset)],
                      zip64: (nil, size: 0x7FFF_FFFF_FFFF_FFF0, offset: 0x7FFF_FFFF_FFFF_FFF0, recordAt: nil))
        let result = try await Self.verifyFails(zip, "cd-overflow")
        #expect(result.contains("outside the file"), "\(result)")
    }

    @Test("ZipDirectory.read: a zip64 entry size above 2^63 is refused")
    func zip64EntrySizeAbove2To63() async throws {
        var zip = HostileZip()
        let offset = zip.local(name: "a.csv")
        zip.directory([.init(name: "a.csv", uncompressedSize: 0xFFFF_FFFF, localHeaderOffset: offset, zip64: [0x8000_0000_0000_0001])])
        let result = try await Self.verifyFails(zip, "entry-size")
        #expect(result != "verified")
    }

    @Test("ZipVerifier.check: an entry whose data start + compressed size overflows is refused")
    func entryEndOverflows() async throws {
        var zip = HostileZip()
        let offset = zip.local(name: "a.csv")
        zip.directory([.init(name: "a.csv", compressedSize: 0xFFFF_FFFF, localHeaderOffset: offset, zip64: [0x7FFF_FFFF_FFFF_FFFF])])
        let result = try await Self.verifyFails(zip, "entry-end")
        #expect(result != "verified")
    }

    /// A source that announces `Content-Length: 9223372036854775807`.
    struct HugeAnnouncement: PartSource {
        func fetch(_ part: PartRef, from offset: Int64,
                   into sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) async throws {
            try [UInt8](repeating: 0x50, count: 16).withUnsafeBytes { try sink(0, Int64.max, $0) }
        }
    }

    @Test("PartDownload.run: Content-Length 2^63-1 plus min_free is an error for the part")
    func hugeContentLengthPlusMinFree() async throws {
        let root = NSTemporaryDirectory() + "zcb-huge-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = ArchiveFolder(path: root, org: "acme", minFree: ByteSize(bytes: 10 << 20), logger: Logger(label: "test"))
        let job = JobSpec(org: "acme", jobID: "1", zgid: nil, parts: [PartRef(fileName: "Data_001.zip", url: "x")], completedAt: Date())
        await #expect(throws: ArchiveError.self) { _ = try await folder.archive(job, from: HugeAnnouncement(), now: Date()) }
    }
}
