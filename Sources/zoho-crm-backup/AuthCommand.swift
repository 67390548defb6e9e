import ArgumentParser
import Foundation
import Policy
import Supervisor
import ZohoModel

extension ZohoCRMBackup {
    /// `auth`: a Zoho self-client grant code → refresh token → the org's credentials file.
    struct Auth: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a Zoho self-client grant code into a refresh token and write the org's credentials file (0600).",
            discussion: """
                In Zoho's API console (api-console.zoho.com, or your data centre's), create a Self Client, \
                generate a grant code with the scopes ZohoCRM.bulk.backup.ALL,ZohoFiles.files.ALL, and run \
                this within the code's lifetime. Client id, secret and code are read from the terminal (the \
                secret and code without echo) or from files, never from the command line. The file is written \
                as /etc/zoho-crm-backup/credentials/<credentials>.json, owned by the user running this (root, \
                for systemd's LoadCredential=).
                """)

        @OptionGroup var policy: PolicyOption
        @Option(name: .long, help: ArgumentHelp("The organisation to authorise, as named in the policy.", valueName: "name"))
        var org: String
        @Option(name: .long, help: ArgumentHelp("JSON file with client_id and client_secret, or - for stdin.", valueName: "path"))
        var clientFile: String?
        @Option(name: .long, help: ArgumentHelp("File holding the grant code, or - for stdin.", valueName: "path"))
        var codeFile: String?
        @Option(name: .long, help: ArgumentHelp("Where credentials files live.", valueName: "dir"))
        var credentialsDir: String = CredentialsLookup.defaultDirectory

        func validate() throws {
            if clientFile == "-", codeFile == "-" {
                throw ValidationError("only one of --client-file and --code-file can be - (stdin)")
            }
        }

        func run() async throws {
            let loaded: Policy
            do { loaded = try PolicyLoader().load(path: policy.policy) } catch {
                Output.error(error.description)
                throw ExitCode.failure
            }
            guard let target = loaded.org(org) else {
                throw ValidationError("org '\(org)' is not in \(policy.policy); it has: \(loaded.orgs.map(\.name).joined(separator: ", "))")
            }
            let input = SecretInput()
            let client = try input.client(from: clientFile)
            let code = try input.value(from: codeFile, prompt: "Grant code (not shown): ", secret: true)

            let token: String?
            do {
                token = try await Authorization.refreshToken(code: code, clientID: client.id, clientSecret: client.secret, for: target)
            } catch {
                Output.error("\(error)")
                throw ExitCode.failure
            }
            guard let refresh = token else {
                Output.error("[\(org)] authorization: Zoho gave no refresh token; make a new grant code (codes work once) and run this again.")
                throw ExitCode.failure
            }
            let path = "\(credentialsDir)/\(target.credentials).json"
            do {
                try FileManager.default.createDirectory(atPath: credentialsDir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
                let object = ["client_id": client.id, "client_secret": client.secret, "refresh_token": refresh]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
                try AtomicFile.write(data + Data("\n".utf8), to: path, permissions: 0o600)
            } catch {
                Output.error("cannot write \(path): \(error); run as root, or give --credentials-dir")
                throw ExitCode.failure
            }
            Output.line("wrote \(path) (mode 0600) for org \(org); check it with `zoho-crm-backup check`, then `systemctl reload zoho-crm-backup`")
        }
    }
}
