import CZlibShim
import Foundation

/// Writes a zip file entry by entry, deflating with zlib as the bytes stream in, so a large
/// part never sits in memory. Sizes and CRCs go in data descriptors and the central
/// directory (no Zip64: parts stay under 4 GiB, Zoho's are at most 1 GB).
final class ZipWriter {
    private let handle: FileHandle
    private var offset: UInt32 = 0
    private var central = Data()
    private var entries: UInt16 = 0

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) , let h = FileHandle(forWritingAtPath: path) else {
            throw Failure(description: "cannot create \(path)")
        }
        handle = h
    }

    /// Adds an entry whose content `produce` hands over in chunks (it is called until it returns nil).
    func add(name: String, produce: () -> Data?) throws {
        let nameBytes = Data(name.utf8)
        let headerOffset = offset
        var local = Data()
        local.le32(0x0403_4B50); local.le16(20); local.le16(0x0008); local.le16(8)  // version, flags (descriptor), deflate
        local.le16(0); local.le16(0x21)                                            // time, date (1980-01-01)
        local.le32(0); local.le32(0); local.le32(0)                                 // crc, sizes: in the descriptor
        local.le16(UInt16(nameBytes.count)); local.le16(0)
        local.append(nameBytes)
        try write(local)

        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var crc: UInt = 0
        var size: UInt32 = 0
        var compressed: UInt32 = 0
        var out = [UInt8](repeating: 0, count: 64 * 1024)
        func pump(_ input: Data, flush: Int32) throws {
            var input = input
            try input.withUnsafeMutableBytes { (raw: UnsafeMutableRawBufferPointer) in
                stream.next_in = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(raw.count)
                repeat {
                    let produced: Int = out.withUnsafeMutableBufferPointer { buffer in
                        stream.next_out = buffer.baseAddress
                        stream.avail_out = uInt(buffer.count)
                        _ = deflate(&stream, flush)
                        return buffer.count - Int(stream.avail_out)
                    }
                    if produced > 0 {
                        try write(Data(out[0..<produced]))
                        compressed &+= UInt32(produced)
                    }
                } while stream.avail_out == 0
            }
        }
        while let chunk = produce() {
            crc = chunk.withUnsafeBytes { CZlibShim.crc32(crc, $0.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt($0.count)) }
            size &+= UInt32(chunk.count)
            try pump(chunk, flush: Z_NO_FLUSH)
        }
        try pump(Data(), flush: Z_FINISH)

        var descriptor = Data()
        descriptor.le32(0x0807_4B50); descriptor.le32(UInt32(crc)); descriptor.le32(compressed); descriptor.le32(size)
        try write(descriptor)

        central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0x0008); central.le16(8)
        central.le16(0); central.le16(0x21); central.le32(UInt32(crc)); central.le32(compressed); central.le32(size)
        central.le16(UInt16(nameBytes.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
        central.le32(0o100644 << 16); central.le32(headerOffset)
        central.append(nameBytes)
        entries += 1
    }

    /// Writes the central directory and closes the file.
    func finish() throws {
        let start = offset
        try write(central)
        var end = Data()
        end.le32(0x0605_4B50); end.le16(0); end.le16(0); end.le16(entries); end.le16(entries)
        end.le32(UInt32(central.count)); end.le32(start); end.le16(0)
        try write(end)
        try handle.synchronize()
        try handle.close()
    }

    private func write(_ data: Data) throws {
        try handle.write(contentsOf: data)
        offset &+= UInt32(data.count)
    }
}

extension Data {
    mutating func le16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    mutating func le32(_ v: UInt32) { for i in 0..<4 { append(UInt8((v >> (8 * UInt32(i))) & 0xFF)) } }
}
