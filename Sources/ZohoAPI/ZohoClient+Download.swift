import Foundation
import ZohoModel

/// How a part download went.
public struct PartDownload: Sendable, Equatable {
    /// Where the bytes handed to the sink start in the file: the requested offset, or 0
    /// when the server ignored `Range` (the sink must then start the file again).
    public var start: Int64
    /// The file's whole size, when the server said it.
    public var total: Int64?
    /// Bytes handed to the sink.
    public var received: Int64
}

extension ZohoClient {
    /// Streams a backup part into `sink`, from `offset` (with `Range`).
    ///
    /// The link is followed only if ``LinkGuard`` allows its host for this org: the token is
    /// never sent anywhere else. `Content-Length` and `Content-Range` are checked: a body cut
    /// short throws a `network` error after handing over what arrived, so the caller can
    /// resume from there. A server that ignores `Range` answers 200 from byte 0
    /// (``PartDownload/start`` says so). An expired token is refreshed once before any byte
    /// is handed over; 429, 5xx and connection failures before the body are retried.
    ///
    /// - Parameters:
    ///   - link: the link exactly as `/backup/urls` gave it.
    ///   - offset: bytes already on disk.
    ///   - sink: called with each piece as it arrives; `start` tells where the first one goes,
    ///     `total` the file's size when the server said it. An error it throws ends the
    ///     download and is thrown from here unchanged.
    /// - Throws: a ``ZohoError``, or the sink's own error as it threw it.
    public func download(_ link: String, from offset: Int64 = 0,
                         into sink: (_ start: Int64, _ total: Int64?, UnsafeRawBufferPointer) throws -> Void) async throws -> PartDownload {
        let failure: ZohoError
        do {
            return try await fetch(link, from: offset, into: sink)
        } catch {
            failure = error
        }
        // The sink's error was carried through the transport and the retries as a ZohoError; hand it back as it was.
        if failure.kind == .sinkFailed, let cause = failure.cause { throw cause }
        throw failure
    }

    /// ``download(_:from:into:)`` with the sink's error still wrapped (`sinkFailed`).
    func fetch(_ link: String, from offset: Int64,
               into sink: (_ start: Int64, _ total: Int64?, UnsafeRawBufferPointer) throws -> Void) async throws(ZohoError) -> PartDownload {
        let parsed: DownloadLink
        switch LinkGuard(allowedHosts: endpoints.downloadHosts).check(link) {
        case .success(let ok): parsed = ok
        case .failure(let refusal):
            // Name the file only when the link's last segment is a part name (never echo a stranger's path).
            let last = String(link.split(separator: "/").last ?? "")
            throw ZohoError(kind: .linkRefused, org: org, operation: .download, message: refusal.description,
                            file: DownloadLink.parseFileName(last) != nil ? last : nil)
        }
        var from = offset
        return try await withRetries(.download, isPost: false) { token throws(ZohoError) in
            while true {
                var headers = [("Authorization", "Zoho-oauthtoken \(token)")]
                if from > 0 { headers.append(("Range", "bytes=\(from)-")) }
                let request = HTTPRequest(method: "GET", url: link, headers: headers, timeout: .seconds(6 * 3_600))
                let progress = DownloadProgress(offset: from)
                let response: HTTPResponse
                do {
                    response = try await transport.stream(request, accept: { status, headers in
                        progress.accept(status: status, headers: headers)
                    }, body: { bytes in
                        try progress.deliver(bytes, to: sink)
                    })
                } catch let refused as SinkFailure {
                    throw ZohoError(kind: .sinkFailed, org: org, operation: .download, jobID: parsed.jobID, file: parsed.fileName, cause: refused.error)
                } catch {
                    let failure = error as? TransportFailure ?? .lostAfterSending("\(error)")
                    let network = ZohoError(kind: .network, org: org, operation: .download, message: failure.reason,
                                            jobID: parsed.jobID, file: parsed.fileName)
                    // Bytes already reached the sink: the caller resumes from what it has.
                    if progress.received > 0 { throw network }
                    return .failed(network, outcome: failure.outcome)
                }
                if response.status == 416, let total = response.header("Content-Range").flatMap(DownloadProgress.unsatisfiedTotal) {
                    // Everything is already there (a crash after the last byte), or what is
                    // there is longer than the file: then fetch it whole again.
                    if total == from { return .done(PartDownload(start: from, total: total, received: 0)) }
                    if total < from, from > 0 {
                        from = 0
                        continue
                    }
                }
                if let result = try progress.finish(status: response.status, org: org, link: parsed) { return .done(result) }
                return failed(response, operation: .download, jobID: parsed.jobID, file: parsed.fileName)
            }
        }
    }
}

/// An error the caller's sink threw, carried through the transport unchanged.
struct SinkFailure: Error {
    var error: any Error
}

/// The state of one download attempt, shared between the transport's callbacks.
/// Safe: the transport calls `accept`, then `deliver` in order, from one task; `finish` runs after.
final class DownloadProgress: @unchecked Sendable {
    let offset: Int64
    var start: Int64 = 0
    var expected: Int64?
    var total: Int64?
    var received: Int64 = 0
    var accepted = false
    var problem: String?

    init(offset: Int64) { self.offset = offset }

    func accept(status: Int, headers: [(String, String)]) -> Bool {
        func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }
        let length = header("Content-Length").flatMap { Int64($0) }
        switch status {
        case 200:
            start = 0
            expected = length
            total = length
        case 206:
            guard let range = header("Content-Range").flatMap(Self.parseContentRange), range.start == offset else {
                problem = "the server answered 206 with Content-Range '\(header("Content-Range") ?? "-")' for a request from byte \(offset)"
                return false
            }
            // end − start + 1 and the total are the server's numbers: refused when they overflow.
            let (span, overflowed) = range.end.subtractingReportingOverflow(range.start)
            guard !overflowed, span < Int64.max, range.total.map({ $0 > range.end }) ?? true else {
                problem = "the server answered 206 with Content-Range '\(header("Content-Range") ?? "-")', which no file can have"
                return false
            }
            start = offset
            expected = span + 1
            total = range.total
            if let length, length != expected { problem = "Content-Length \(length) disagrees with Content-Range"; return false }
        default:
            return false
        }
        accepted = true
        return true
    }

    func deliver(_ bytes: UnsafeRawBufferPointer, to sink: (Int64, Int64?, UnsafeRawBufferPointer) throws -> Void) throws {
        if let expected, received + Int64(bytes.count) > expected {
            throw TransportFailure.lostAfterSending("the server sent more than its Content-Length of \(expected) bytes")
        }
        do { try sink(start, total, bytes) } catch { throw SinkFailure(error: error) }
        received += Int64(bytes.count)
    }

    /// The result when the attempt succeeded; nil when the answer was an error to classify.
    func finish(status: Int, org: String, link: DownloadLink) throws(ZohoError) -> PartDownload? {
        if let problem {
            throw ZohoError(kind: .malformedResponse, org: org, operation: .download, httpStatus: status, message: problem,
                            jobID: link.jobID, file: link.fileName)
        }
        guard accepted else { return nil }
        if let expected, received != expected {
            throw ZohoError(kind: .network, org: org, operation: .download, httpStatus: status,
                            message: "the body was cut short: \(received) of \(expected) bytes arrived", jobID: link.jobID, file: link.fileName)
        }
        return PartDownload(start: start, total: total, received: received)
    }

    /// The size in a 416's `Content-Range: bytes */TOTAL`.
    static func unsatisfiedTotal(_ value: String) -> Int64? {
        guard value.hasPrefix("bytes */") else { return nil }
        return Int64(value.dropFirst("bytes */".count))
    }

    /// `bytes START-END/TOTAL`.
    static func parseContentRange(_ value: String) -> (start: Int64, end: Int64, total: Int64?)? {
        guard value.hasPrefix("bytes ") else { return nil }
        let parts = value.dropFirst(6).split(separator: "/")
        guard parts.count == 2 else { return nil }
        let range = parts[0].split(separator: "-")
        guard range.count == 2, let s = Int64(range[0]), let e = Int64(range[1]), e >= s else { return nil }
        return (s, e, Int64(parts[1]))
    }
}

/// The `Content-Range` header of a download's answer, parsed as the client reads it.
public enum ContentRange {
    /// `bytes START-END/TOTAL` (a 206); nil when it is not that shape or END < START.
    public static func parse(_ value: String) -> (start: Int64, end: Int64, total: Int64?)? {
        DownloadProgress.parseContentRange(value)
    }

    /// The size in a 416's `bytes */TOTAL`; nil when it is not that shape.
    public static func unsatisfiedTotal(_ value: String) -> Int64? {
        DownloadProgress.unsatisfiedTotal(value)
    }
}
