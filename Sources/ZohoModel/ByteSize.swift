import Foundation

/// A size in bytes as the policy writes it: `0`, `512`, `500MB`, `5GiB`, `1.5GiB`.
public struct ByteSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: Int64

    public init(bytes: Int64) { self.bytes = bytes }

    private static let units: [(String, Int64)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("kB", 1_000),
        ("B", 1),
    ]

    /// Parses a size with an optional unit (B, KB/kB, MB, GB, TB in powers of 1000;
    /// KiB, MiB, GiB, TiB in powers of 1024); returns nil for anything else.
    public init?(parsing text: String) {
        var numberPart = Substring(text)
        var multiplier: Int64 = 1
        for (suffix, size) in Self.units where text.hasSuffix(suffix) {
            numberPart = numberPart.dropLast(suffix.count)
            multiplier = size
            break
        }
        guard !numberPart.isEmpty, numberPart.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "." }),
              numberPart.filter({ $0 == "." }).count <= 1, numberPart.first != ".", numberPart.last != ".",
              let value = Double(numberPart), value * Double(multiplier) < 9.0e18
        else { return nil }
        self.bytes = Int64((value * Double(multiplier)).rounded())
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool { lhs.bytes < rhs.bytes }

    /// The size in the largest binary unit that keeps it readable, e.g. `1GiB`, `1.5MiB`, `512B`.
    public var description: String {
        for (suffix, size) in Self.units where suffix.hasSuffix("iB") && bytes >= size {
            let value = Double(bytes) / Double(size)
            let text = value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
            return text + suffix
        }
        return "\(bytes)B"
    }
}
