import Foundation
import ZohoModel

/// Where the CLI's words go: results on stdout, problems on stderr.
enum Output {
    static func line(_ text: String) {
        print(text)
    }

    /// Pushes out what `line` buffered (before a long wait, so a reader sees it at once).
    static func flush() {
        fflush(nil)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Pretty, key-sorted JSON of `value` on stdout; Zoho dates in `zone` (UTC if nil).
    static func json<T: Encodable>(_ value: T, zone: TimeZone? = nil) throws {
        let encoder = JSONEncoder()
        if let zone { encoder.userInfo[.zohoTimeZone] = zone }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
