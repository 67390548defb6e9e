// swift-tools-version:6.0
// libFuzzer targets for zoho-crm-backup's parsers, apart from the main package so that its
// build and tests stay free of sanitizers. Each executable hands libFuzzer's input to one
// function of the main package's FuzzTargets (the replay test runs the same functions).
// Build and run: make fuzz (see ../shared/FUZZING.md for why the flags are what they are).
import PackageDescription

import Foundation

let targets = ["zip", "policy", "rrule", "wire", "link", "headers", "csv"]
/// A path dependency's identity is its folder's name (the clone's name, whatever it is).
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "zoho-crm-backup-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: targets.map { name in
        .executableTarget(name: "Fuzz\(name.prefix(1).uppercased())\(name.dropFirst())",
                          dependencies: [.product(name: "FuzzTargets", package: main)],
                          path: "Sources/\(name)")
    }
)
