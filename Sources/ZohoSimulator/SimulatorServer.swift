import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix

/// Serves a ``SimulatedZoho`` over HTTP on one loopback port: accounts (`/oauth/v2/token`),
/// API (`/crm/bulk/…`) and download host (`/v2/crm/…`) told apart by path. Injects the
/// transport faults (reset, truncation, flipped byte, slow body, stall) as bytes on the wire.
public enum SimulatorServer {
    /// Runs the server while `body` runs, then shuts it down.
    ///
    /// - Parameters:
    ///   - zoho: the simulated Zoho to serve; its download links are pointed at this server.
    ///   - port: 0 for any free port.
    ///   - body: gets the base URL, e.g. `http://127.0.0.1:41234`.
    public static func withRunning<T: Sendable>(
        _ zoho: SimulatedZoho, port: Int = 0, _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let base = "http://127.0.0.1:\(server.channel.localAddress?.port ?? port)"
        await zoho.setDownloadBase(base)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await serve(connection, zoho) }
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            let result = try await body(base)
            try? await server.channel.close()
            group.cancelAll()
            return result
        }
    }

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ zoho: SimulatedZoho) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let h = head else { continue }
                    let request = SimulatedRequest(method: h.method.rawValue, uri: h.uri,
                                                   headers: h.headers.map { ($0.name, $0.value) }, body: Data(buffer: body))
                    let fault = await zoho.takeTransportFault(for: request)
                    if fault == .reset {
                        await zoho.log(request, status: 0)
                        return
                    }
                    let response = await zoho.handle(request)
                    let keepGoing = try await write(response, fault: fault, keepAlive: h.isKeepAlive, outbound)
                    if !keepGoing { return }
                }
            }
        }
    }

    /// Writes `response`, bending it as `fault` says; false when the connection must close.
    static func write(_ response: SimulatedResponse, fault: Fault.Kind?, keepAlive: Bool,
                      _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
        var headers = HTTPHeaders(response.headers)
        let length: Int64
        switch response.body {
        case .bytes(let data): length = Int64(data.count)
        case .file(_, _, let n): length = n
        }
        headers.replaceOrAdd(name: "Content-Length", value: String(length))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        var status = response.status
        if case .rewriteHead(let newStatus, let name, let value) = fault {
            headers.replaceOrAdd(name: name, value: value)
            status = newStatus ?? status
            // The body no longer matches the head: the connection cannot be reused.
            headers.replaceOrAdd(name: "Connection", value: "close")
        }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)))
        if fault == .stall {
            try await Task.sleep(for: .seconds(3_600))
            return false
        }
        var sent: Int64 = 0
        let chunks = chunkSource(response.body)
        while let chunk = try chunks() {
            var bytes = chunk
            if case .flipByte(let at) = fault, Int64(at) >= sent, Int64(at) < sent + Int64(bytes.count) {
                let index = Int(Int64(at) - sent)
                bytes[bytes.startIndex + index] ^= 0xFF
            }
            if case .truncate(let limit) = fault {
                let room = Int64(limit) - sent
                if room <= 0 { return false }
                if Int64(bytes.count) > room {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes.prefix(Int(room))))))
                    return false
                }
            }
            if case .slowBody(let delay) = fault {
                for piece in stride(from: 0, to: bytes.count, by: 1_024) {
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes[piece..<min(piece + 1_024, bytes.count)]))))
                    try await Task.sleep(for: delay)
                }
            } else {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
            }
            sent += Int64(bytes.count)
        }
        try await outbound.write(.end(nil))
        if case .rewriteHead = fault { return false }
        return keepAlive
    }

    /// The body in pieces of at most 64 KiB; a file is read as it goes, never whole.
    static func chunkSource(_ body: SimulatedResponse.Body) -> () throws -> [UInt8]? {
        switch body {
        case .bytes(let data):
            var done = false
            return {
                guard !done, !data.isEmpty else { return nil }
                done = true
                return [UInt8](data)
            }
        case .file(let path, let offset, let length):
            let handle = FileHandle(forReadingAtPath: path)
            try? handle?.seek(toOffset: UInt64(offset))
            var remaining = length
            return {
                guard remaining > 0, let handle else {
                    try? handle?.close()
                    return nil
                }
                let data = try handle.read(upToCount: Int(min(remaining, 64 * 1024))) ?? Data()
                guard !data.isEmpty else { return nil }
                remaining -= Int64(data.count)
                return [UInt8](data)
            }
        }
    }
}
