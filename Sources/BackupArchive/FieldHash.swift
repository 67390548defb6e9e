/// A 64-bit hash of one field's value, fed in pieces of any size (the result does not depend
/// on where the pieces split), eight bytes at a step: fast enough that indexing costs little
/// beside inflating. Starts from the column's seed, so equal values in two columns differ.
struct FieldHash {
    private var h: UInt64
    private var tail: UInt64 = 0
    private var tailBytes = 0
    private var length: UInt64 = 0

    init(seed: UInt64) { h = seed }

    @inline(__always)
    private mutating func word(_ w: UInt64) {
        h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 32
    }

    @inline(__always)
    mutating func add(_ piece: UnsafeRawBufferPointer) {
        guard let base = piece.baseAddress else { return }
        let n = piece.count
        length &+= UInt64(n)
        var i = 0
        if tailBytes == 0 {
            // The common case, a field's value in one piece: whole words, then the last
            // bytes in one load (no byte loop).
            while i + 8 <= n {
                word(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            let rest = n - i
            if rest > 0 {
                var last: UInt64 = 0
                withUnsafeMutableBytes(of: &last) { $0.baseAddress!.copyMemory(from: base + i, byteCount: rest) }
                tail = UInt64(littleEndian: last)
                tailBytes = rest
            }
            return
        }
        while tailBytes != 0 && i < n {
            tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(tailBytes))
            tailBytes += 1
            i += 1
            if tailBytes == 8 {
                word(tail)
                tail = 0
                tailBytes = 0
            }
        }
        while i + 8 <= n {
            word(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        while i < n {
            tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(tailBytes))
            tailBytes += 1
            i += 1
        }
    }

    /// The hash of everything added.
    var value: UInt64 {
        var copy = self
        copy.word(tail ^ (UInt64(tailBytes) << 56))
        return RowHasher.mix(copy.h ^ length)
    }
}
