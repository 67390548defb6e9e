import Foundation

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

    /// Pretty, key-sorted JSON of `value` on stdout.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
