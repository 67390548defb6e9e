import Foundation
import Glibc

/// A loopback HTTP receiver for the alert tests: it records every request (method, path,
/// headers, body) and answers as told — a status, a redirect, a delay — or, stopped, not at all.
/// Plain sockets on a thread of its own: nothing of the code under test.
public final class AlertReceiver: @unchecked Sendable {   // every mutable field is guarded by `lock`
    /// One request as it arrived.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    private let lock = NSLock()
    private var recorded: [Request] = []
    private var listener: Int32 = -1
    private var thread: Thread?
    /// The status every request is answered with (302 comes with a Location).
    public var status: Int { get { lock.withLock { _status } } set { lock.withLock { _status = newValue } } }
    /// How long to wait before answering.
    public var delay: Double { get { lock.withLock { _delay } } set { lock.withLock { _delay = newValue } } }
    private var _status = 200
    private var _delay = 0.0
    public private(set) var port: Int = 0

    public init() throws { try start() }

    /// `http://127.0.0.1:<port>` + `path`.
    public func url(_ path: String = "/") -> String { "http://127.0.0.1:\(port)\(path)" }

    public var requests: [Request] { lock.withLock { recorded } }

    /// Listens (again, on the same port after ``stop()``).
    public func start() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        lock.withLock { listener = fd }
        let thread = Thread { [weak self] in self?.accept(on: fd) }
        thread.start()
        self.thread = thread
    }

    /// Stops listening: connections are refused until ``start()``.
    public func stop() {
        let fd = lock.withLock { let fd = listener; listener = -1; return fd }
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    deinit { stop() }

    private func accept(on fd: Int32) {
        while true {
            let client = Glibc.accept(fd, nil, nil)
            guard client >= 0 else { return }
            Thread { [weak self] in self?.serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let n = read(client, &chunk, chunk.count)
            guard n > 0 else { return }
            buffer.append(contentsOf: chunk[0..<n])
            headerEnd = buffer.range(of: Data("\r\n\r\n".utf8))
        }
        let head = String(decoding: buffer[..<headerEnd!.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Data(buffer[headerEnd!.upperBound...])
        while body.count < length {
            let n = read(client, &chunk, chunk.count)
            guard n > 0 else { break }
            body.append(contentsOf: chunk[0..<n])
        }
        let (status, delay) = lock.withLock { (_status, _delay) }
        lock.withLock {
            recorded.append(Request(method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
                                    headers: headers, body: body))
        }
        if delay > 0 { usleep(UInt32(delay * 1_000_000)) }
        let location = (300..<400).contains(status) ? "Location: http://127.0.0.1:\(port)/elsewhere\r\n" : ""
        let answer = "HTTP/1.1 \(status) X\r\n\(location)Content-Length: 2\r\nConnection: close\r\n\r\nok"
        // MSG_NOSIGNAL: a client that gave up (a timeout) must not SIGPIPE the test process.
        _ = answer.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }
}
