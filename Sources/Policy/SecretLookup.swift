import Foundation
import Glibc

/// Finds and reads secrets other than Zoho's credentials — a restic repository password, a
/// file of environment variables for restic, a webhook URL — by name, in exactly
/// ``CredentialsLookup``'s places and order, without `.json`:
/// 1. `$CREDENTIALS_DIRECTORY/org_<name>` (what the unit's
///    `LoadCredential=org:/etc/zoho-crm-backup/credentials` makes of the file `<name>`);
/// 2. `$CREDENTIALS_DIRECTORY/<name>`;
/// 3. `/etc/zoho-crm-backup/credentials/<name>`.
///
/// The first file that exists is used; it must be a regular file readable by its owner only.
public struct SecretLookup: Sendable {
    /// A secret is a password, a URL or a few variables.
    static let maximumSize = 64 * 1024

    public var environment: [String: String]
    public var directory: String
    /// What was read before, by name (a command run as root reads the root-only files, then
    /// gives up root): answered as it was, without reading again.
    public var preloaded: [String: Result<Secret, CredentialsError>] = [:]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                directory: String = CredentialsLookup.defaultDirectory) {
        self.environment = environment
        self.directory = directory
    }

    /// The lookup of the same places as `credentials`.
    public init(_ credentials: CredentialsLookup) {
        self.init(environment: credentials.environment, directory: credentials.directory)
    }

    /// Whether `name` can name a secret: letters, digits, `.`, `_`, `-`, not starting with a dot.
    public static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && !name.hasPrefix(".")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    /// The paths tried for `name`, in order.
    public func candidates(for name: String) -> [String] {
        var paths: [String] = []
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty {
            paths += ["\(dir)/org_\(name)", "\(dir)/\(name)"]
        }
        paths.append("\(directory)/\(name)")
        return paths
    }

    /// This lookup with the secrets of `names` read now (successes and errors alike).
    public func preloading(_ names: [String]) -> SecretLookup {
        var copy = self
        for name in names where copy.preloaded[name] == nil {
            do { copy.preloaded[name] = .success(try load(name)) } catch { copy.preloaded[name] = .failure(error) }
        }
        return copy
    }

    /// Reads the secret named `name`.
    /// - Parameter purpose: what it is for (`the repository password of org acme`), in the
    ///   advice when it is missing.
    /// - Throws: ``CredentialsError`` saying which file and what to do (never its content).
    public func load(_ name: String, purpose: String? = nil) throws(CredentialsError) -> Secret {
        if let known = preloaded[name] { return try known.get() }
        let tried = candidates(for: name)
        guard let (path, info) = try SecretFile.first(of: tried) else {
            throw CredentialsError(
                code: .notFound, paths: tried,
                message: "no secret file '\(name)'\(purpose.map { " (\($0))" } ?? ""); looked for \(tried.joined(separator: ", ")). "
                    + "Create \(tried.last ?? name), readable by its owner only: `install -m 600 /dev/null \(tried.last ?? name)`, then write the secret into it")
        }
        let data = try SecretFile.read(path, info: info, maximumSize: Self.maximumSize,
                                       holds: "the secret '\(name)'", tooLargeHint: "a secret is a password, a URL or a few KEY=VALUE lines")
        return Secret(name: name, path: path, data: data)
    }
}

/// A secret read from its file. Its `description` never shows the content.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The name it was looked up by.
    public var name: String
    /// The file it came from.
    public var path: String
    /// The file's bytes.
    public var data: Data

    public init(name: String, path: String, data: Data) {
        self.name = name
        self.path = path
        self.data = data
    }

    /// The content as text without the final newline (a password, a URL).
    public var text: String {
        var text = String(decoding: data, as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" { text.removeLast() }
        return text
    }

    public var description: String { "Secret(\(name) from \(path), content redacted)" }
    public var debugDescription: String { description }
}

/// The checks every secret file passes: a regular file, readable by its owner only, small.
enum SecretFile {
    /// The first of `paths` that exists, with its `stat`; nil when none does.
    static func first(of paths: [String]) throws(CredentialsError) -> (String, stat)? {
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0 else {
                if errno == ENOENT || errno == ENOTDIR { continue }
                throw CredentialsError(code: .unreadable, paths: [path],
                                       message: "\(path): cannot be read (\(String(cString: strerror(errno))))")
            }
            return (path, info)
        }
        return nil
    }

    /// The bytes of the file at `path` after checking what `info` says of it. `holds` names
    /// what it must be, `tooLargeHint` what it should hold.
    static func read(_ path: String, info: stat, maximumSize: Int, holds: String, tooLargeHint: String) throws(CredentialsError) -> Data {
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CredentialsError(code: .notAFile, paths: [path], message: "\(path): is not a regular file; it must be \(holds)")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            let octal = String(mode, radix: 8, uppercase: false)
            throw CredentialsError(
                code: .tooOpen, paths: [path],
                message: "\(path): is readable by group or others (mode \(String(repeating: "0", count: max(0, 4 - octal.count)) + octal)); "
                    + "secrets must be readable by their owner only: run `chmod 600 \(path)`")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CredentialsError(code: .unreadable, paths: [path],
                                   message: "\(path): cannot be read (\(String(cString: strerror(errno)))); run as root or the file's owner")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumSize + 1)) ?? Data()
        guard data.count <= maximumSize else {
            throw CredentialsError(code: .tooLarge, paths: [path], message: "\(path): is larger than \(maximumSize / 1024) KiB; \(tooLargeHint)")
        }
        return data
    }
}
