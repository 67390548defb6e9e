import Foundation
import CZlibShim

/// A running CRC-32 (the zip checksum), computed by zlib: about 6.5 GiB/s here, against
/// ≈ 0.5 GiB/s for ZIPFoundation's built-in fallback on Linux.
public struct CRC32: Sendable, Equatable {
    /// The checksum of everything fed so far.
    public private(set) var value: UInt32 = 0

    /// Starts a checksum of no bytes (``value`` 0).
    public init() {}

    /// Adds `bytes` to the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var remaining = bytes.count
        var crc = UInt(value)
        // zlib takes a 32-bit length; feed larger buffers in slices.
        while remaining > 0 {
            let n = min(remaining, Int(UInt32.max >> 1))
            crc = CZlibShim.crc32(crc, base, uInt(n))
            base += n
            remaining -= n
        }
        value = UInt32(truncatingIfNeeded: crc)
    }

    /// Adds `bytes` to the checksum.
    public mutating func update<C: ContiguousBytes>(_ bytes: C) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The checksum of `bytes` alone.
    public static func checksum<C: ContiguousBytes>(_ bytes: C) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
