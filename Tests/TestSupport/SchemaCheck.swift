import Foundation

/// The alerts' JSON documents checked against the README's schema by `jsonschema` (PyPI,
/// in `make test`'s venv: `ZCB_PYTHON`), a validator we did not write.
public enum SchemaCheck {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Throws unless every document is valid. Without `ZCB_PYTHON` (a plain `swift test`)
    /// it checks nothing: `make test` sets it.
    public static func validate(_ documents: [Data], file: String = #filePath) throws {
        guard let python = ProcessInfo.processInfo.environment["ZCB_PYTHON"] else { return }
        var root = URL(fileURLWithPath: file)
        while root.path != "/", !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) { root.deleteLastPathComponent() }
        let readme = try String(contentsOfFile: root.appendingPathComponent("README.md").path, encoding: .utf8)
        guard let start = readme.range(of: "<!-- alert-schema -->\n```json\n"), let end = readme.range(of: "```\n<!-- /alert-schema -->") else {
            throw Failure(description: "README.md has no alert schema between its markers")
        }
        let folder = NSTemporaryDirectory() + "zcb-schema-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(readme[start.upperBound..<end.lowerBound].utf8).write(to: URL(fileURLWithPath: folder + "/schema.json"))
        let lines = documents.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
        try Data(lines.utf8).write(to: URL(fileURLWithPath: folder + "/documents.jsonl"))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            n = 0
            for line in open(sys.argv[2]):
                validator.validate(json.loads(line)); n += 1
            print(n)
            """
        let result = try ChildProcess.run(python, ["-c", script, folder + "/schema.json", folder + "/documents.jsonl"])
        guard result.status == 0, result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(documents.count) else {
            throw Failure(description: "jsonschema: \(result.all)")
        }
    }
}
