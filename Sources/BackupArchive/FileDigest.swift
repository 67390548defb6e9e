import Crypto
import Foundation
import Glibc

/// SHA-256 over what a file descriptor holds, read in 1 MiB pieces (never the whole file).
enum FileDigest {
    /// Feeds everything from `fd`'s current position to its end into `hasher`.
    ///
    /// - Returns: the bytes read, or the errno of a failed read.
    static func update(_ hasher: inout SHA256, readingFrom fd: Int32) -> Result<Int64, FileReadError> {
        var total: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(FileReadError(code: errno))
            }
            if n == 0 { return .success(total) }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += Int64(n)
        }
    }

    /// Lower-case hex, as `sha256sum` writes it.
    static func hex(_ hasher: SHA256) -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    struct FileReadError: Error {
        var code: Int32
    }
}

/// The errno behind a Foundation file-manager error (EIO when it carries none).
func systemErrno(of error: any Error) -> Int32 {
    Int32(((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? Int(EIO))
}
