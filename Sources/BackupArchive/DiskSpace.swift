import Glibc

/// Free space where a path lives.
public enum DiskSpace {
    /// Bytes an unprivileged writer may still use on the file system holding `path`, or nil.
    public static func available(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}
