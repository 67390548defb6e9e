import Foundation

/// An org's OAuth client and refresh token, from its credentials file.
///
/// - Important: The secrets never leave this value in text: its `description` and
///   `debugDescription` redact them, and errors about the file never quote its content.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var clientSecret: String
    public var refreshToken: String
    /// The file they came from.
    public var path: String

    public init(clientID: String, clientSecret: String, refreshToken: String, path: String) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.path = path
    }

    public var description: String { "Credentials(\(path), client_id: \(Self.redacted(clientID)), secrets redacted)" }
    public var debugDescription: String { description }

    /// The first 4 characters of an identifier, then `…`; enough to tell two clients apart.
    static func redacted(_ id: String) -> String {
        id.count > 8 ? String(id.prefix(4)) + "…" : "…"
    }
}

/// Why an org's credentials cannot be used, with the file and what to do. Never quotes a secret.
public struct CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case notFound, notAFile, tooOpen, unreadable, tooLarge, malformed, missingKey
    }
    public var code: Code
    /// The file concerned; for `notFound`, every path that was tried.
    public var paths: [String]
    public var message: String

    public var description: String { message }
}
