import Foundation
import Logging
import ZohoModel

/// When each off-site repository was last pruned and checked
/// (`<state_dir>/offsite-repositories.json`), keyed by what and a hash of its address (an
/// address may carry a password: it is never written here). Written by the repository's copy
/// loop only.
struct OffsiteRepositories {
    /// What is recorded of a repository.
    enum Event: String { case prune, check }

    let path: String

    init(stateDir: String) { path = stateDir + "/offsite-repositories.json" }

    /// The key of `repository`: FNV-1a, 64 bits, in hex.
    static func key(_ repository: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in repository.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    private func all() -> [String: Date] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([String: Date].self, from: data)) ?? [:]
    }

    /// When `event` last happened to `repository`, nil when never (or the file is unreadable:
    /// a prune or check too many is harmless).
    func last(_ event: Event, _ repository: String) -> Date? { all()["\(event.rawValue):\(Self.key(repository))"] }

    /// Records `event` for `repository` at `date`.
    func record(_ event: Event, _ repository: String, at date: Date, logger: Logger) {
        var entries = all()
        entries["\(event.rawValue):\(Self.key(repository))"] = date
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do { try AtomicFile.write(try encoder.encode(entries), to: path, permissions: 0o600) } catch {
            logger.warning("could not record the off-site \(event.rawValue) in \(path): \(error); the next one may come early")
        }
    }
}

/// `offsite.check.read_data_subset` as restic takes it (`5%`, `12.5%`).
enum OffsiteCheckSubset {
    static func text(_ share: Double) -> String {
        let percent = share * 100
        return percent == percent.rounded() ? "\(Int(percent))%" : String(format: "%.2f%%", percent)
    }
}
