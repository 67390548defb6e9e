// swift-tools-version:6.0
// zoho-crm-backup: a systemd daemon that enforces a Zoho CRM backup policy.
// Dependencies point down the list of DESIGN.md's code layout, never up:
// executable → ZohoSimulator → Supervisor → Reconcile → Policy → ZohoAPI → RestoreFormats → BackupArchive → Offsite → Systemd → ZohoModel.
import PackageDescription

let package = Package(
    name: "zoho-crm-backup",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zoho-crm-backup", targets: ["zoho-crm-backup"]),
        // For the libFuzzer package in fuzz/ (it depends on this one by path).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(name: "zoho-crm-backup",
            dependencies: [
                // Not ZohoAPI, Reconcile or BackupArchive: the commands go through Supervisor.
                "ZohoSimulator", "Supervisor", "RestoreFormats", "Policy", "Systemd", "ZohoModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ZohoSimulator",
            dependencies: [
                "ZohoModel", "CZlibShim",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Supervisor",
            dependencies: [
                "Reconcile", "Policy", "ZohoAPI", "BackupArchive", "RestoreFormats", "Offsite", "Notify", "Systemd", "ZohoModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "Reconcile", dependencies: ["ZohoModel"]),
        .target(name: "FuzzTargets", dependencies: ["BackupArchive", "Policy", "ZohoAPI", "ZohoModel"]),
        .target(
            name: "Policy",
            dependencies: ["ZohoModel", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ZohoAPI",
            dependencies: [
                "ZohoModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BackupArchive",
            dependencies: [
                "CZlibShim", "ZohoModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Restore into the tools admins open: SQLite through GRDB (the system SQLite), XLSX
        // through Debian's libxlsxwriter.
        .target(
            name: "RestoreFormats",
            dependencies: ["BackupArchive", "CXLSXWriter", "ZohoModel", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        .systemLibrary(
            name: "CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .systemLibrary(
            name: "CZlibShim",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "Systemd",
            dependencies: [
                "CSystemd", "ZohoModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // restic, run through swift-subprocess: the off-site copy's storage engine.
        .target(
            name: "Offsite",
            dependencies: ["ZohoModel", .product(name: "Subprocess", package: "swift-subprocess"),
                           .product(name: "SystemPackage", package: "swift-system")]
        ),
        .target(name: "ZohoModel"),
        // Alerts: the durable outbox and its delivery to healthchecks, Slack, ntfy and JSON webhooks.
        .target(
            name: "Notify",
            dependencies: ["ZohoModel", "Policy",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Subprocess", package: "swift-subprocess"),
                           .product(name: "SystemPackage", package: "swift-system"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Benchmark helper for bench/download.sh: the archive's code paths on one part (never installed).
        .executableTarget(name: "archive-bench",
            dependencies: [
                "BackupArchive", "ZohoModel", "ZohoAPI", "Supervisor", "ZohoSimulator", "Policy", "Reconcile",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test helper: calls the Systemd API in a process of its own (never installed).
        .executableTarget(name: "systemd-probe",
            dependencies: ["Systemd", "Policy", .product(name: "Logging", package: "swift-log")]
        ),

        .testTarget(name: "ZohoModelTests", dependencies: ["ZohoModel", "TestSupport"]),
        .testTarget(name: "OffsiteTests", dependencies: ["Offsite", "TestSupport", "ZohoModel"], exclude: ["Fixtures"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "ZohoModel"]),
        .testTarget(name: "NotifyTests", dependencies: ["Notify", "Policy", "ZohoAPI", "ZohoModel", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ZohoAPITests", dependencies: ["ZohoAPI", "ZohoModel", "ZohoSimulator", "TestSupport",
                                                        .product(name: "NIOSSL", package: "swift-nio-ssl")], exclude: ["Fixtures"]),
        .testTarget(name: "RestoreFormatsTests", dependencies: ["RestoreFormats", "BackupArchive", "CXLSXWriter", "ZohoSimulator", "ZohoModel", "TestSupport",
                                                           .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "BackupArchiveTests", dependencies: ["BackupArchive", "CZlibShim", "ZohoModel", "TestSupport"]),
        .testTarget(
            name: "SystemdTests",
            dependencies: ["Systemd", "systemd-probe", "ZohoModel", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // Helpers shared by the test targets (not shipped).
        .target(name: "TestSupport", dependencies: [.product(name: "Logging", package: "swift-log")], path: "Tests/TestSupport"),
        .testTarget(name: "ReconcileTests", dependencies: ["Reconcile", "ZohoModel"]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzTargets", "TestSupport"]),
        .testTarget(
            name: "SupervisorTests",
            dependencies: [
                "Supervisor", "Reconcile", "Policy", "ZohoAPI", "BackupArchive", "RestoreFormats", "Offsite", "Notify", "Systemd", "ZohoSimulator", "ZohoModel",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(name: "zoho-crm-backupTests", dependencies: ["zoho-crm-backup", "BackupArchive", "ZohoSimulator", "ZohoModel", "TestSupport"]),
    ]
)
