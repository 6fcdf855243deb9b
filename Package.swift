// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "tunnel-tui",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tunnel-tui", targets: ["tunnel-tui"]),
        .library(name: "TunnelManager", targets: ["TunnelManager"]),
    ],
    dependencies: [
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(name: "CSpawn"),
        .target(
            name: "TunnelManager",
            dependencies: [
                "CSpawn",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Only what a file imports is visible: TOMLKit imports Foundation, whose String extensions would
            // otherwise be used unnoticed and link Foundation and ICU (45 MB) into the binary.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The private sshd of the demo and the real-sshd tests: in the executable, not in the library product.
        .target(
            name: "LoopbackSSH", dependencies: ["TunnelManager"],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .executableTarget(
            name: "tunnel-tui",
            dependencies: [
                "TunnelManager",
                "LoopbackSSH",
                "CNcurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .target(
            name: "TunnelTestSupport",
            dependencies: [
                "TunnelManager",
                "LoopbackSSH",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            path: "Tests/TunnelTestSupport"
        ),
        .testTarget(
            name: "TunnelManagerTests",
            dependencies: ["TunnelManager", "TunnelTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["TunnelManager", "TunnelTestSupport"]
        ),
        .testTarget(
            name: "DashboardTests",
            dependencies: ["tunnel-tui", "TunnelManager", "TunnelTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
