import Foundation

/// Hand-made zip bytes for hostile-input tests: each field set explicitly, so a test can put
/// any number where a server (or an attacker) could.
public struct HostileZip: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var method: UInt16 = 0
        public var crc32: UInt32 = 0
        public var compressedSize: UInt32 = 0
        public var uncompressedSize: UInt32 = 0
        public var localHeaderOffset: UInt32 = 0
        /// Zip64 extra field values, in order (uncompressed, compressed, offset), for the
        /// fields set to 0xFFFFFFFF.
        public var zip64: [UInt64] = []

        public init(name: String, method: UInt16 = 0, crc32: UInt32 = 0, compressedSize: UInt32 = 0, uncompressedSize: UInt32 = 0,
                    localHeaderOffset: UInt32 = 0, zip64: [UInt64] = []) {
            self.name = name
            self.method = method
            self.crc32 = crc32
            self.compressedSize = compressedSize
            self.uncompressedSize = uncompressedSize
            self.localHeaderOffset = localHeaderOffset
            self.zip64 = zip64
        }
    }

    public init() {}

    public var bytes = Data()

    /// A local header (sizes in it are not used by readers that trust the directory) and `data`.
    /// Returns the header's offset.
    @discardableResult
    public mutating func local(name: String, method: UInt16 = 0, data: Data = Data()) -> UInt32 {
        let offset = UInt32(bytes.count)
        bytes.le32(0x0403_4B50); bytes.le16(20); bytes.le16(0); bytes.le16(method)
        bytes.le16(0); bytes.le16(0x21)
        bytes.le32(0); bytes.le32(UInt32(data.count)); bytes.le32(0)
        bytes.le16(UInt16(name.utf8.count)); bytes.le16(0)
        bytes.append(Data(name.utf8))
        bytes.append(data)
        return offset
    }

    /// The central directory of `entries` and an end record; zip64 records when `zip64` is
    /// given (count, directory size, directory offset, and where the locator says the zip64
    /// end record is). Values are written as given, however absurd.
    public mutating func directory(_ entries: [Entry], zip64: (count: UInt64?, size: UInt64?, offset: UInt64?, recordAt: UInt64?)? = nil) {
        let cdOffset = UInt32(bytes.count)
        for e in entries {
            var extra = Data()
            if !e.zip64.isEmpty {
                extra.le16(0x0001); extra.le16(UInt16(e.zip64.count * 8))
                for v in e.zip64 { extra.le64(v) }
            }
            bytes.le32(0x0201_4B50); bytes.le16(45); bytes.le16(45); bytes.le16(0); bytes.le16(e.method)
            bytes.le16(0); bytes.le16(0x21)
            bytes.le32(e.crc32); bytes.le32(e.compressedSize); bytes.le32(e.uncompressedSize)
            bytes.le16(UInt16(e.name.utf8.count)); bytes.le16(UInt16(extra.count)); bytes.le16(0)
            bytes.le16(0); bytes.le16(0); bytes.le32(0); bytes.le32(e.localHeaderOffset)
            bytes.append(Data(e.name.utf8))
            bytes.append(extra)
        }
        let cdSize = UInt32(bytes.count) - cdOffset
        if let z = zip64 {
            let recordOffset = UInt64(bytes.count)
            bytes.le32(0x0606_4B50); bytes.le64(44); bytes.le16(45); bytes.le16(45); bytes.le32(0); bytes.le32(0)
            bytes.le64(z.count ?? UInt64(entries.count)); bytes.le64(z.count ?? UInt64(entries.count))
            bytes.le64(z.size ?? UInt64(cdSize)); bytes.le64(z.offset ?? UInt64(cdOffset))
            bytes.le32(0x0706_4B50); bytes.le32(0); bytes.le64(z.recordAt ?? recordOffset); bytes.le32(1)
            bytes.le32(0x0605_4B50); bytes.le16(0); bytes.le16(0); bytes.le16(0xFFFF); bytes.le16(0xFFFF)
            bytes.le32(0xFFFF_FFFF); bytes.le32(0xFFFF_FFFF); bytes.le16(0)
        } else {
            bytes.le32(0x0605_4B50); bytes.le16(0); bytes.le16(0)
            bytes.le16(UInt16(entries.count)); bytes.le16(UInt16(entries.count))
            bytes.le32(cdSize); bytes.le32(cdOffset); bytes.le16(0)
        }
    }

    /// Writes the bytes to a new file in the temporary folder and returns its path.
    public func write(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "zcb-hostile-\(label)-\(UUID().uuidString).zip"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Data {
    public mutating func le16(_ v: UInt16) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    public mutating func le32(_ v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    public mutating func le64(_ v: UInt64) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
}

extension HostileZip {
    /// The shapes that once trapped or passed verification, by name (for tests that serve them as parts).
    public static var shapes: [(name: String, zip: HostileZip)] {
        var locator = HostileZip()
        let a = locator.local(name: "a.csv")
        locator.directory([.init(name: "a.csv", localHeaderOffset: a)], zip64: (nil, nil, nil, recordAt: 0x8000_0000_0000_0000))
        var overflow = HostileZip()
        let b = overflow.local(name: "a.csv")
        overflow.directory([.init(name: "a.csv", localHeaderOffset: b)], zip64: (nil, size: 0x7FFF_FFFF_FFFF_FFF0, offset: 0x7FFF_FFFF_FFFF_FFF0, recordAt: nil))
        var entrySize = HostileZip()
        let c = entrySize.local(name: "a.csv")
        entrySize.directory([.init(name: "a.csv", uncompressedSize: 0xFFFF_FFFF, localHeaderOffset: c, zip64: [0x8000_0000_0000_0001])])
        var entryEnd = HostileZip()
        let d = entryEnd.local(name: "a.csv")
        entryEnd.directory([.init(name: "a.csv", compressedSize: 0xFFFF_FFFF, localHeaderOffset: d, zip64: [0x7FFF_FFFF_FFFF_FFFF])])
        var overlap = HostileZip()
        let e = overlap.local(name: "bomb.csv", data: Data(repeating: 0x41, count: 4096))
        overlap.directory((0..<64).map { .init(name: "bomb\($0).csv", compressedSize: 4096, uncompressedSize: 4096, localHeaderOffset: e) })
        var million = HostileZip()
        let f = million.local(name: "a.csv")
        million.directory([.init(name: "a.csv", localHeaderOffset: f)], zip64: (count: 1_000_001, size: nil, offset: nil, recordAt: nil))
        return [("a zip64 locator past 2^63", locator), ("a directory offset + size that overflows", overflow),
                ("a zip64 entry size past 2^63", entrySize), ("an entry end that overflows", entryEnd),
                ("64 entries over one run (overlap bomb)", overlap), ("1,000,001 entries claimed", million)]
    }
}
