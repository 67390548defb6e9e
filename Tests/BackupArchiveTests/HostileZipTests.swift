import BackupArchive
import Foundation
import Testing
import TestSupport

/// Zips built to cost us: overlapping entries (a zip bomb `unzip -t` refuses), entries outside
/// the file, absurd entry counts, entries that inflate past their declared size. Refused at
/// once, naming what is wrong; legal oddities (another order than the directory's) accepted.
@Suite("Hostile zips")
struct HostileZipTests {
    static func verify(_ zip: HostileZip, _ label: String) async throws -> Result<ZipVerifier.Summary, ZipVerifier.Failure> {
        let path = try zip.write(label)
        defer { unlink(path) }
        do { return .success(try await ZipVerifier.verify(path: path)) } catch { return .failure(error) }
    }

    static let zeros = Data(repeating: 0, count: 1 << 20)

    @Test("64 directory entries pointing at one deflated run are refused as overlapping (a zip bomb)")
    func overlappingEntriesAreABomb() async throws {
        var zip = HostileZip()
        let deflated = Deflate.raw(Self.zeros)
        let offset = zip.local(name: "bomb.csv", method: 8, data: deflated)
        let entries = (0..<64).map { i in
            HostileZip.Entry(name: "bomb\(i).csv", method: 8, crc32: Deflate.crc(Self.zeros), compressedSize: UInt32(deflated.count),
                             uncompressedSize: UInt32(Self.zeros.count), localHeaderOffset: offset)
        }
        zip.directory(entries)
        let result = try await Self.verify(zip, "overlap")
        guard case .failure(let failure) = result else { Issue.record("an overlapping zip was verified"); return }
        #expect(failure.problem.contains("overlap"), "\(failure)")
    }

    @Test("compressed sizes that add up to more than the file are refused")
    func compressedTotalAboveFileSize() async throws {
        var zip = HostileZip()
        let a = zip.local(name: "a.csv", data: Data("hello".utf8))
        zip.directory([.init(name: "a.csv", crc32: Deflate.crc(Data("hello".utf8)), compressedSize: 0x7000_0000, uncompressedSize: 0x7000_0000, localHeaderOffset: a)])
        let result = try await Self.verify(zip, "total")
        guard case .failure(let failure) = result else { Issue.record("verified"); return }
        #expect(failure.description.contains("past the end") || failure.description.contains("more than the file"), "\(failure)")
    }

    @Test("a directory claiming more than 1,000,000 entries is refused before it is read")
    func entryCountIsCapped() async throws {
        var zip = HostileZip()
        let a = zip.local(name: "a.csv")
        zip.directory([.init(name: "a.csv", localHeaderOffset: a)], zip64: (count: 1_000_001, size: nil, offset: nil, recordAt: nil))
        let result = try await Self.verify(zip, "count")
        guard case .failure(let failure) = result else { Issue.record("verified"); return }
        #expect(failure.problem.contains("1000000") || failure.problem.contains("1,000,000"), "\(failure)")
    }

    @Test("an entry that inflates past its declared size fails, naming it")
    func inflatesPastDeclaredSize() async throws {
        var zip = HostileZip()
        let deflated = Deflate.raw(Self.zeros)
        let a = zip.local(name: "liar.csv", method: 8, data: deflated)
        zip.directory([.init(name: "liar.csv", method: 8, crc32: Deflate.crc(Self.zeros), compressedSize: UInt32(deflated.count),
                             uncompressedSize: 10, localHeaderOffset: a)])
        let result = try await Self.verify(zip, "liar")
        guard case .failure(let failure) = result else { Issue.record("verified"); return }
        #expect(failure.entry == "liar.csv")
        #expect(failure.problem.contains("more than its 10 bytes"), "\(failure)")
    }

    @Test("entries stored in another order than the directory's are legal and verified")
    func anotherOrderIsAccepted() async throws {
        var zip = HostileZip()
        let one = Data("one".utf8), two = Data("two".utf8)
        let a = zip.local(name: "a.csv", data: one)
        let b = zip.local(name: "b.csv", data: two)
        zip.directory([
            .init(name: "b.csv", crc32: Deflate.crc(two), compressedSize: 3, uncompressedSize: 3, localHeaderOffset: b),
            .init(name: "a.csv", crc32: Deflate.crc(one), compressedSize: 3, uncompressedSize: 3, localHeaderOffset: a),
        ])
        let result = try await Self.verify(zip, "order")
        guard case .success(let summary) = result else { Issue.record("refused: \(result)"); return }
        #expect(summary.entries == 2)
        #expect(summary.warnings.isEmpty)
    }

    @Test("a part declaring more than 250× its size uncompressed is verified with a warning naming the entry")
    func highRatioIsAWarning() async throws {
        var zip = HostileZip()
        let deflated = Deflate.raw(Self.zeros)
        let a = zip.local(name: "zeros.csv", method: 8, data: deflated)
        zip.directory([.init(name: "zeros.csv", method: 8, crc32: Deflate.crc(Self.zeros), compressedSize: UInt32(deflated.count),
                             uncompressedSize: UInt32(Self.zeros.count), localHeaderOffset: a)])
        let result = try await Self.verify(zip, "ratio")
        guard case .success(let summary) = result else { Issue.record("refused: \(result)"); return }
        #expect(summary.warnings.count == 1)
        #expect(summary.warnings.first?.contains("zeros.csv") == true, "\(summary.warnings)")
    }

    @Test("exactly 65,535 entries without zip64 records (as Python's zipfile writes them) are read and verified")
    func exactly65535EntriesWithoutZip64() async throws {
        var zip = HostileZip()
        var entries: [HostileZip.Entry] = []
        entries.reserveCapacity(65_535)
        for i in 0..<65_535 {
            let name = String(format: "f%05d.csv", i)
            entries.append(.init(name: name, localHeaderOffset: zip.local(name: name)))
        }
        zip.directory(entries)
        let result = try await Self.verify(zip, "65535")
        guard case .success(let summary) = result else { Issue.record("refused: \(result)"); return }
        #expect(summary.entries == 65_535)
    }
}
