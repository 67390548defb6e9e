import Foundation
import Glibc
import Testing
import ZohoModel

@Suite("Atomic write and flock")
struct DurableFileTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "zcb-durable-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func writesReplacesAndLeavesNoTemporaryFile() throws {
        let path = folder + "/state.json"
        try AtomicFile.write(Data("one".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one")
        #expect(try mode(path) == 0o600)
        try AtomicFile.write(Data("two, longer".utf8), to: path, permissions: 0o644)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two, longer")
        #expect(try mode(path) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["state.json"])
    }

    @Test func failureLeavesTargetAndFolderUntouched() throws {
        let path = folder + "/missing-folder/state.json"
        #expect(throws: FileError.self) { try AtomicFile.write(Data("x".utf8), to: path) }
        do {
            try AtomicFile.write(Data("x".utf8), to: path)
        } catch {
            #expect(error.description.contains("missing-folder"))
            #expect(error.description.contains("No such file"))
        }
        // A target that is a folder cannot be replaced: the folder stays, no temp file is left.
        let dirTarget = folder + "/adir"
        try FileManager.default.createDirectory(atPath: dirTarget + "/inner", withIntermediateDirectories: true)
        #expect(throws: FileError.self) { try AtomicFile.write(Data("x".utf8), to: dirTarget) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["adir"])
    }

    @Test func lockIsExclusiveWithinAndAcrossProcesses() throws {
        let path = folder + "/run.lock"
        let first = try #require(try FileLock.tryAcquire(path))
        #expect(try FileLock.tryAcquire(path) == nil)
        #expect(try flockCommand(path) == 1, "another process cannot take a held lock")
        first.unlock()
        #expect(try flockCommand(path) == 0, "a released lock is free for another process")
        let again = try #require(try FileLock.tryAcquire(path))
        #expect(try FileLock.withLockIfFree(path) { 42 } == nil, "held by `again`")
        again.unlock()
        #expect(try FileLock.withLockIfFree(path) { 42 } == 42)
    }

    @Test func waitingForALockGivesUpAfterTheTimeout() async throws {
        let path = folder + "/org.lock"
        let held = try #require(try FileLock.tryAcquire(path))
        let clock = ManualClock()
        let got = try await FileLock.acquire(path, timeout: .seconds(1), pollEvery: .milliseconds(400), clock: clock)
        #expect(got == nil)
        #expect(clock.now.offset >= .seconds(1))
        held.unlock()
        #expect(try await FileLock.acquire(path, timeout: .seconds(1), clock: clock) != nil)
    }

    /// Runs util-linux's `flock -n PATH true` and returns its exit status (1: lock held).
    func flockCommand(_ path: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        p.arguments = ["-n", "-E", "1", path, "true"]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// A clock that advances only when something sleeps on it: tests never wait for real time.
final class ManualClock: Clock, @unchecked Sendable {
    // Safe: `current` is read and written only under `lock`.
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }
    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    var now: Instant { lock.withLock { current } }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        lock.withLock { if deadline > current { current = deadline } }
    }
}
