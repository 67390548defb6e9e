import BackupArchive
import Foundation
import Testing
import TestSupport
import ZohoModel

/// What is on disk after a crash is committed or kept, never lost: a sealed folder whatever
/// markers are left, the verified copy before a failed one, a quarantine without its note.
@Suite("Recovering what a crash left")
struct RecoverTests {
    struct Stop: Error {}

    @Test("sealed, then killed with the markers gone but .job.json still there, links expired: committed, not settled away")
    func sealedWithoutMarkers() async throws {
        try await ArchiveHarness.run { h async throws in
            let job = try await h.completedJob()
            let faults = FaultPoints { if $0 == .commitBeforeRename { throw Stop() } }
            await #expect(throws: ArchiveError.self) { _ = try await h.folder(faults: faults).archive(job, from: h.source, now: h.clock.date) }
            let work = h.root + "/archive/.partial/\(job.jobID)"
            // As if killed between unlinking the markers and .job.json: the spec is still there.
            let info = #"{"jobID":"\#(job.jobID)","linksExpiry":"2020-01-01T00:00:00Z"}"#
            try Data(info.utf8).write(to: URL(fileURLWithPath: work + "/.job.json"))
            let folder = h.folder()
            #expect(try folder.settleExpired(now: h.clock.date).isEmpty, "a sealed job is never settled away")
            #expect(folder.completePartialJobs() == [job.jobID])
            let results = await folder.commitCompletePartials(now: h.clock.date)
            #expect(results.count == 1)
            let backup = try #require(folder.backup(jobID: job.jobID))
            #expect(await folder.verify(backup).ok)
        }
    }

    @Test("the quarantine keeps the verified copy as the part and a failed one beside it, and lists a folder without its note")
    func quarantinePrefersTheVerifiedCopy() throws {
        let root = try makeTemporaryFolder("quarantine")
        let folder = ArchiveFolder(path: root, org: "acme", minFree: ByteSize(bytes: 0), logger: .init(label: "test"))
        let work = root + "/.partial/77"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try Data("good".utf8).write(to: URL(fileURLWithPath: work + "/Data_001.zip"))
        let marker = #"{"size":4,"sha256":"x","verified":{"name":"Data_001.zip","kind":"data","size":4,"sha256":"x","entries":1,"uncompressed_bytes":4,"verified_at":0}}"#
        try Data(marker.utf8).write(to: URL(fileURLWithPath: work + "/.Data_001.zip.done"))
        try Data("bad".utf8).write(to: URL(fileURLWithPath: work + "/.failed-Data_001.zip"))
        try Data("cut".utf8).write(to: URL(fileURLWithPath: work + "/Data_002.zip"))   // cut off: no marker
        let kept = try #require(try folder.quarantine(jobID: "77", reason: "test", now: Date()))
        #expect(kept.files.sorted() == ["Data_001.zip", "Data_001.zip.failed"])
        #expect(try String(contentsOfFile: root + "/.quarantine/77/Data_001.zip", encoding: .utf8) == "good")
        #expect(try String(contentsOfFile: root + "/.quarantine/77/Data_001.zip.failed", encoding: .utf8) == "bad")

        try FileManager.default.createDirectory(atPath: root + "/.quarantine/88", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/.quarantine/88/Data_001.zip"))
        #expect(folder.quarantined().map(\.jobID) == ["77", "88"], "a folder whose note a crash prevented is still shown")
    }

    /// Blocks the first entry until released; counts entries. Safe: state only under `condition`.
    final class Gate: ZipEntryChecker, @unchecked Sendable {
        private let condition = NSCondition()
        private var entered = 0
        private var open = false
        var count: Int { condition.withLock { entered } }
        func check(_ entry: ZipEntry, fd: Int32, fileSize: Int64, output: ((UnsafeRawBufferPointer) -> Void)?) throws(ZipVerifier.Failure) -> Int64 {
            condition.lock()
            entered += 1
            condition.broadcast()
            while !open { condition.wait() }
            condition.unlock()
            return try ZlibEntryChecker().check(entry, fd: fd, fileSize: fileSize, output: output)
        }
        func waitForEntry() { condition.withLock { while entered == 0 { condition.wait() } } }
        func release() { condition.withLock { open = true; condition.broadcast() } }
    }

    @Test("a cancelled verification takes no further entry")
    func cancelledVerificationStops() async throws {
        var zip = HostileZip()
        var entries: [HostileZip.Entry] = []
        for i in 0..<5 {
            let data = Data("entry \(i)".utf8)
            let offset = zip.local(name: "e\(i).csv", data: data)
            entries.append(.init(name: "e\(i).csv", crc32: Deflate.crc(data), compressedSize: UInt32(data.count),
                                 uncompressedSize: UInt32(data.count), localHeaderOffset: offset))
        }
        zip.directory(entries)
        let path = try zip.write("cancel")
        defer { unlink(path) }
        let gate = Gate()
        let lanes = VerifyLanes(count: 1)
        let task = Task { try await ZipVerifier.verify(path: path, parallelism: 1, lanes: lanes, checker: gate) }
        await Task.detached { gate.waitForEntry() }.value
        task.cancel()
        gate.release()
        await #expect(throws: ZipVerifier.Failure.self) { _ = try await task.value }
        #expect(gate.count == 1, "no entry after the cancellation")
    }
}
