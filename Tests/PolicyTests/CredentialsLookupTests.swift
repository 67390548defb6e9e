import Foundation
import Policy
import Testing

@Suite("Credentials")
struct CredentialsLookupTests {
    let root: String
    let etc: String
    let systemd: String

    init() throws {
        root = NSTemporaryDirectory() + "zcb-creds-\(UUID().uuidString)"
        etc = root + "/etc"
        systemd = root + "/run-credentials"
        for dir in [etc, systemd] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    static let secret = "1000.s3cr3t-refresh-token-never-logged"
    static let good = #"{"client_id": "1000.CLIENTID1234", "client_secret": "client-s3cr3t-value", "refresh_token": "\#(secret)"}"#

    func write(_ path: String, _ text: String, mode: Int = 0o600) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func lookup(systemd: Bool) -> CredentialsLookup {
        CredentialsLookup(environment: systemd ? ["CREDENTIALS_DIRECTORY": self.systemd] : [:], directory: etc)
    }

    @Test("preloaded credentials answer without reading again, errors included (root reads, then gives up root)")
    func preloading() throws {
        try write(etc + "/acme.json", Self.good)
        let early = lookup(systemd: false).preloading([("acme", "acme"), ("globex", "globex")])
        try FileManager.default.removeItem(atPath: etc + "/acme.json")
        try write(etc + "/globex.json", Self.good)
        #expect(try early.load("acme").clientID == "1000.CLIENTID1234", "read before the file went away")
        #expect(throws: CredentialsError.self, "the error seen then is the answer") { try early.load("globex") }
        #expect(throws: CredentialsError.self) { try lookup(systemd: false).load("acme") }
    }

    @Test func lookupOrder() throws {
        try write(etc + "/acme.json", Self.good)
        #expect(try lookup(systemd: false).load("acme").path == etc + "/acme.json")
        #expect(try lookup(systemd: true).load("acme").path == etc + "/acme.json")
        try write(systemd + "/acme.json", Self.good)
        #expect(try lookup(systemd: true).load("acme").path == systemd + "/acme.json")
        try write(systemd + "/org_acme.json", Self.good)
        let creds = try lookup(systemd: true).load("acme")
        #expect(creds.path == systemd + "/org_acme.json")
        #expect(creds.clientID == "1000.CLIENTID1234")
        #expect(creds.refreshToken == Self.secret)
        #expect(lookup(systemd: true).candidates(for: "acme") == [
            systemd + "/org_acme.json", systemd + "/acme.json", etc + "/acme.json"])
    }

    func failure(_ name: String = "acme", systemd: Bool = false) -> CredentialsError? {
        do {
            _ = try lookup(systemd: systemd).load(name)
            return nil
        } catch {
            return error
        }
    }

    @Test func tooOpenIsRefusedWithTheFix() throws {
        try write(etc + "/acme.json", Self.good, mode: 0o644)
        let error = try #require(failure())
        #expect(error.code == .tooOpen)
        #expect(error.message == "\(etc)/acme.json: is readable by group or others (mode 0644); secrets must be readable by their owner only: run `chmod 600 \(etc)/acme.json`")
        try write(etc + "/acme.json", Self.good, mode: 0o640)
        #expect(failure()?.code == .tooOpen)
        try write(etc + "/acme.json", Self.good, mode: 0o400)
        #expect(failure() == nil)
    }

    @Test func notFoundListsEveryPathTried() throws {
        let error = try #require(failure(systemd: true))
        #expect(error.code == .notFound)
        #expect(error.paths == [systemd + "/org_acme.json", systemd + "/acme.json", etc + "/acme.json"])
        #expect(error.message.contains("zoho-crm-backup auth"))
    }

    @Test(arguments: [
        ("not json at all " + secret, CredentialsError.Code.malformed),
        (#"["client_id"]"#, .malformed),
        (#"{"client_id": "a", "client_secret": "b"}"#, .missingKey),
        (#"{"client_id": "a", "client_secret": "", "refresh_token": "c"}"#, .missingKey),
        (#"{"client_id": "a", "client_secret": 5, "refresh_token": "c"}"#, .missingKey),
    ])
    func malformedFilesAreClearErrorsWithoutSecrets(_ text: String, _ code: CredentialsError.Code) throws {
        try write(etc + "/acme.json", text)
        let error = try #require(failure())
        #expect(error.code == code)
        #expect(error.message.hasPrefix(etc + "/acme.json: "))
        #expect(!error.message.contains(Self.secret))
        #expect(!error.message.contains("client-s3cr3t"))
    }

    @Test func aFolderIsNotACredentialsFile() throws {
        try FileManager.default.createDirectory(atPath: etc + "/acme.json", withIntermediateDirectories: true)
        #expect(failure()?.code == .notAFile)
    }

    @Test func descriptionNeverShowsSecrets() throws {
        try write(etc + "/acme.json", Self.good)
        let creds = try lookup(systemd: false).load("acme")
        for text in ["\(creds)", String(reflecting: creds)] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains("client-s3cr3t-value"))
            #expect(!text.contains("CLIENTID1234"))
        }
    }
}
