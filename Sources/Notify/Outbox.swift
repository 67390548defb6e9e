import Foundation
import Synchronization
import ZohoModel

/// A destination of one org's `notify:`, by the org and the destination's name.
public struct DestinationRef: Codable, Sendable, Hashable, CustomStringConvertible {
    public var org: String
    public var name: String

    public init(org: String, name: String) {
        self.org = org
        self.name = name
    }

    public var description: String { "\(org)/\(name)" }
}

/// The alerts decided and not yet delivered everywhere (`<state_dir>/outbox/`): one file per
/// message, written atomically (fsync, rename) before the decision's caller goes on, so an
/// event decided is an event sent, across restarts and SIGKILL. Each file lists the
/// destinations still to be told; it is removed when none is left.
public struct Outbox: Sendable {
    /// One message and where it still has to go.
    public struct Entry: Codable, Sendable, Equatable {
        public var message: AlertMessage
        public var pending: [DestinationRef]
        /// The file's name in the outbox (not stored in it).
        public var file: String = ""

        enum CodingKeys: String, CodingKey { case message, pending }

        public init(message: AlertMessage, pending: [DestinationRef]) {
            self.message = message
            self.pending = pending
        }
    }

    public let folder: String
    /// Messages put by this process, in order.
    static let sequence = Atomic<Int>(0)

    public init(folder: String) { self.folder = folder }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Adds `message` for `destinations` (nothing when there are none).
    public func put(_ message: AlertMessage, to destinations: [DestinationRef]) throws {
        guard !destinations.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Names sort by time, then by the order they were put in this process: delivered oldest first.
        let name = String(format: "%014.3f-%012d-", message.time.timeIntervalSince1970, Self.sequence.add(1, ordering: .relaxed).newValue) + message.id + ".json"
        try AtomicFile.write(try Self.encoder.encode(Entry(message: message, pending: destinations)), to: folder + "/" + name)
    }

    /// Every entry, oldest first; an unreadable file is set aside as `<name>.bad` (reported by the caller).
    public func entries() -> (entries: [Entry], unreadable: [String]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") && $0 != Self.stateFile }.sorted()
        var entries: [Entry] = [], unreadable: [String] = []
        for name in names {
            let path = folder + "/" + name
            guard let data = FileManager.default.contents(atPath: path), var entry = try? Self.decoder.decode(Entry.self, from: data) else {
                try? FileManager.default.moveItem(atPath: path, toPath: path + ".bad")
                unreadable.append(path)
                continue
            }
            entry.file = name
            entries.append(entry)
        }
        return (entries, unreadable)
    }

    /// Saves `entry` with what is still pending, or removes it when nothing is.
    public func update(_ entry: Entry) throws {
        let path = folder + "/" + entry.file
        if entry.pending.isEmpty {
            try? FileManager.default.removeItem(atPath: path)
        } else {
            try AtomicFile.write(try Self.encoder.encode(entry), to: path)
        }
    }

    /// The sender's own record (backoff, rate limits) beside the entries.
    static let stateFile = "delivery-state.json"

    func loadState() -> DeliveryState {
        guard let data = FileManager.default.contents(atPath: folder + "/" + Self.stateFile),
              let state = try? Self.decoder.decode(DeliveryState.self, from: data) else { return DeliveryState() }
        return state
    }

    func saveState(_ state: DeliveryState) {
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let data = try? Self.encoder.encode(state) { try? AtomicFile.write(data, to: folder + "/" + Self.stateFile) }
    }
}

/// What the sender remembers between passes and restarts.
struct DeliveryState: Codable, Sendable, Equatable {
    /// A destination that failed: how often in a row, when to try again, and why.
    struct Failing: Codable, Sendable, Equatable {
        var failures: Int
        var nextAttempt: Date
        var error: String
    }

    /// By ``DestinationRef/description``.
    var failing: [String: Failing] = [:]
    /// When a message of an org and event last went to a destination (the rate limit), by
    /// ``RateKey/description``.
    var sent: [String: Date] = [:]
}
