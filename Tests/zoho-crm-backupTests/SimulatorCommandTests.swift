import Foundation
import Testing

@Suite("zoho-crm-backup simulator")
struct SimulatorCommandTests {
    @Test func servesTheAPIItPrints() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["simulator", "--port", "0", "--job-duration", "1s"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        // The banner arrives in one flush; read until the credentials line.
        var text = ""
        while !text.contains("\"refresh_token\"") {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let base = try #require(text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression).map { String(text[$0]) })
        #expect(text.contains("download_hosts: [\"\(base.dropFirst(7))\"]"))
        let credentialsLine = try #require(text.split(separator: "\n").last { $0.hasPrefix("{") })
        let credentials = try #require(try JSONSerialization.jsonObject(with: Data(credentialsLine.utf8)) as? [String: String])

        let token = try curl(["-s", "-X", "POST", base + "/oauth/v2/token", "-d", "grant_type=refresh_token",
                              "-d", "client_id=\(credentials["client_id"] ?? "")", "-d", "client_secret=\(credentials["client_secret"] ?? "")",
                              "-d", "refresh_token=\(credentials["refresh_token"] ?? "")"])
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(token.utf8)) as? [String: Any])
        let access = try #require(answer["access_token"] as? String)
        let status = try curl(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Zoho-oauthtoken \(access)",
                               base + "/crm/bulk/v7/backup"])
        #expect(status == "204", "a fresh simulator has no backup")
    }

    func curl(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = ["--max-time", "10"] + arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
