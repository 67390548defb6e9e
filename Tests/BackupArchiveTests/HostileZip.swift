import Foundation

/// Hand-made zip bytes for hostile-input tests: each field set explicitly, so a test can put
/// any number where a server (or an attacker) could.
struct HostileZip {
    struct Entry {
        var name: String
        var method: UInt16 = 0
        var crc32: UInt32 = 0
        var compressedSize: UInt32 = 0
        var uncompressedSize: UInt32 = 0
        var localHeaderOffset: UInt32 = 0
        /// Zip64 extra field values, in order (uncompressed, compressed, offset), for the
        /// fields set to 0xFFFFFFFF.
        var zip64: [UInt64] = []
    }

    var bytes = Data()

    /// A local header (sizes in it are not used by readers that trust the directory) and `data`.
    /// Returns the header's offset.
    @discardableResult
    mutating func local(name: String, method: UInt16 = 0, data: Data = Data()) -> UInt32 {
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
    mutating func directory(_ entries: [Entry], zip64: (count: UInt64?, size: UInt64?, offset: UInt64?, recordAt: UInt64?)? = nil) {
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
    func write(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "zcb-hostile-\(label)-\(UUID().uuidString).zip"
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Data {
    mutating func le16(_ v: UInt16) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func le64(_ v: UInt64) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
}
