import ArgumentParser
import Foundation
import Glibc

/// Reads secrets from files, stdin or the terminal — never from the command line, where
/// `ps` and the journal's `_CMDLINE` would show them.
struct SecretInput {
    /// The OAuth client: from a JSON file (`client_id`, `client_secret`), or asked for.
    func client(from path: String?) throws -> (id: String, secret: String) {
        if let path {
            let text = try read(path)
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let id = object["client_id"] as? String, let secret = object["client_secret"] as? String,
                  !id.isEmpty, !secret.isEmpty else {
                throw ValidationError("\(path == "-" ? "stdin" : path) must be JSON with client_id and client_secret")
            }
            return (id, secret)
        }
        let id = try value(from: nil, prompt: "Client ID: ", secret: false)
        let secret = try value(from: nil, prompt: "Client secret (not shown): ", secret: true)
        return (id, secret)
    }

    /// A value from `path` (`-`: stdin), or asked for on the terminal.
    func value(from path: String?, prompt: String, secret: Bool) throws -> String {
        let text: String
        if let path {
            text = try read(path)
        } else {
            guard isatty(STDIN_FILENO) == 1 else {
                throw ValidationError("no terminal to ask on: give --client-file and --code-file (or - for stdin)")
            }
            if secret, let raw = getpass(prompt) {
                text = String(cString: raw)
            } else {
                FileHandle.standardError.write(Data(prompt.utf8))
                text = readLine() ?? ""
            }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ValidationError("\(prompt.trimmingCharacters(in: .whitespaces)) was empty") }
        return trimmed
    }

    private func read(_ path: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
