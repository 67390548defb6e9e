import BackupArchive
import Foundation
import TestSupport
import ZohoModel

/// `BackupArchive`'s test double of its own level: parts served from memory by link, with a
/// log of what was asked and faults to inject — no HTTP, no Zoho, no supervisor.
///
/// Safe as `@unchecked Sendable`: every stored property is read and written under `lock`.
final class MemoryPartSource: PartSource, @unchecked Sendable {
    /// One fetch: the part's link, the offset asked for, and the status an HTTP server would
    /// have answered (206 for a range, 200 from byte 0).
    struct Request: Sendable, Equatable {
        var path: String
        var offset: Int64
        var status: Int
    }

    /// What goes wrong with the next fetches of a part.
    enum Fault: Sendable {
        /// The byte at `offset` of the file arrives flipped, `times` times.
        case flipByte(offset: Int, times: Int = 1)
        /// The stream stops after `bytes` bytes, once.
        case truncate(bytes: Int)
    }

    /// The stream stopped early (a `truncate` fault).
    struct CutOff: Error, CustomStringConvertible {
        var description: String { "the connection closed mid-body (a test fault)" }
    }

    private let lock = NSLock()
    private var parts: [String: Data] = [:]
    private var faults: [(pathContains: String, fault: Fault)] = []
    private var log: [Request] = []
    /// Bytes handed to the sink per call: small, so a download is cut after its first piece.
    let chunk = 16 * 1024
    /// Whether the part's size is announced (as `Content-Length` would); false: a chunked answer.
    var announcesSize: Bool { lock.withLock { announces } }
    private var announces = true
    func announceSize(_ yes: Bool) { lock.withLock { announces = yes } }

    func serve(_ data: Data, at url: String) { lock.withLock { parts[url] = data } }
    func inject(_ fault: Fault, pathContains: String) { lock.withLock { faults.append((pathContains, fault)) } }
    var requestLog: [Request] { lock.withLock { log } }
    func count(_ pathContains: String) -> Int { requestLog.filter { $0.path.contains(pathContains) }.count }
    func data(_ url: String) -> Data? { lock.withLock { parts[url] } }

    func fetch(_ part: PartRef, from offset: Int64,
               into sink: (_ start: Int64, _ total: Int64?, _ bytes: UnsafeRawBufferPointer) throws -> Void) async throws {
        guard var body = data(part.url) else { throw CocoaError(.fileNoSuchFile) }
        let start = Int(offset)
        let fault: Fault? = lock.withLock {
            log.append(Request(path: part.url, offset: offset, status: offset > 0 ? 206 : 200))
            guard let index = faults.firstIndex(where: { part.url.contains($0.pathContains) }) else { return nil }
            let found = faults[index].fault
            switch found {
            case .flipByte(let at, let times) where times > 1: faults[index].fault = .flipByte(offset: at, times: times - 1)
            default: faults.remove(at: index)
            }
            return found
        }
        if case .flipByte(let at, _) = fault, at < body.count { body[at] ^= 0x01 }
        var end = body.count
        if case .truncate(let bytes) = fault { end = min(body.count, start + bytes) }
        var position = start
        while position < end {
            let next = min(end, position + chunk)
            let total: Int64? = announcesSize ? Int64(body.count) : nil
            try body[position..<next].withUnsafeBytes { try sink(offset, total, $0) }
            position = next
        }
        if end < body.count { throw CutOff() }
    }
}
