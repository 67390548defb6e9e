import Foundation
import Glibc

/// Durable file writes: the one helper every durable file of the daemon goes through
/// (per-org state, the cached token, the metrics textfile, a credentials file).
public enum AtomicFile {
    /// Replaces the file at `path` with `data`, so that after a crash at any point the path
    /// holds either the old content or the new, whole.
    ///
    /// Writes a temporary file beside the target (`.<name>.tmp-XXXXXX`, same folder, so the
    /// rename cannot cross file systems), fsyncs it, renames it over the target, then fsyncs
    /// the folder so the rename itself survives a power loss.
    ///
    /// - Parameters:
    ///   - data: the new content.
    ///   - path: the target; its folder must exist.
    ///   - permissions: the new file's mode (default `0600`: only the owner reads it).
    /// - Throws: ``FileError`` naming the path and the system's reason. After a throw the
    ///   target is unchanged and no temporary file is left behind.
    public static func write(_ data: Data, to path: String, permissions: mode_t = 0o600) throws(FileError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var template = Array("\(folder)/.\(url.lastPathComponent).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw FileError(path: path, operation: "create a temporary file beside", errno: errno) }
        let tempPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var renamed = false
        defer {
            if !renamed { unlink(tempPath) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, permissions) == 0 else { throw FileError(path: path, operation: "set the mode of", errno: errno) }
            let writeError: Int32? = data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += n
                }
                return nil
            }
            if let writeError { throw FileError(path: path, operation: "write", errno: writeError) }
            guard fsync(fd) == 0 else { throw FileError(path: path, operation: "fsync", errno: errno) }
        }
        guard rename(tempPath, path) == 0 else { throw FileError(path: path, operation: "rename into place", errno: errno) }
        renamed = true
        try syncFolder(folder)
    }

    /// fsyncs a folder, so that a rename or a new entry in it survives a power loss.
    public static func syncFolder(_ folder: String) throws(FileError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: folder, operation: "open folder", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(path: folder, operation: "fsync folder", errno: errno) }
    }
}

/// A file-system operation that failed: which path, what was attempted, and the system's reason.
public struct FileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
