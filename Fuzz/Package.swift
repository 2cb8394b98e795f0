// swift-tools-version:6.1
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which is whatever the clone was called.
let main = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// Coverage-guided fuzz harnesses (libFuzzer), one per parser that takes outside bytes. A
// package of its own, so the normal build and `swift test` never see them; `make fuzz`
// (scripts/fuzz.sh) builds them with -sanitize=fuzzer,address and runs each from its corpus.
// Each harness's main.swift hands its input function to libFuzzer (FuzzDriver).
let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-address-input", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-port-query", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-frame-decoder", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-tcp-flow", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-pcap-file", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-request-path", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-range-headers", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-download-source", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-raw-request", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-line-framer", [.product(name: "NettoolParsing", package: main), .product(name: "NIOCore", package: "swift-nio")]),
    ("fuzz-hex-payload", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-numbering", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-units", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-tls-hello", [.product(name: "NettoolParsing", package: main)]),
    ("fuzz-download-response", [.product(name: "NettoolParsing", package: main), .product(name: "NIOCore", package: "swift-nio"),
                                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]),
]

let package = Package(
    name: "nettool-fuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [.target(name: "FuzzDriver", path: "Support/FuzzDriver")]
        + harnesses.map { .executableTarget(name: $0.name, dependencies: ["FuzzDriver"] + $0.dependencies, path: "Harnesses/\($0.name)") }
)
