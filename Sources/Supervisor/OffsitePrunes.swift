import Foundation
import Logging
import ZohoModel

/// When each off-site repository was last pruned (`<state_dir>/offsite-prunes.json`), keyed
/// by a hash of its address (an address may carry a password: it is never written here).
/// Written by the repository's copy loop only.
struct OffsitePrunes {
    let path: String

    init(stateDir: String) { path = stateDir + "/offsite-prunes.json" }

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

    /// When `repository` was last pruned, nil when never (or the file is unreadable: a prune too many is harmless).
    func lastPrune(_ repository: String) -> Date? { all()[Self.key(repository)] }

    /// Records a prune of `repository` at `date`.
    func record(_ repository: String, at date: Date, logger: Logger) {
        var entries = all()
        entries[Self.key(repository)] = date
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do { try AtomicFile.write(try encoder.encode(entries), to: path, permissions: 0o600) } catch {
            logger.warning("could not record the off-site prune in \(path): \(error); the next prune may come a day early")
        }
    }
}
