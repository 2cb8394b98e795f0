// swift-tools-version:6.1
import PackageDescription

// The floor under tcp-echo-server: SwiftNIO's own per-message cost, with the smallest echo
// handler NIO allows and the same socket options (Benchmarks/echo-floor.sh).
let package = Package(
    name: "nio-echo",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "nio-echo", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
