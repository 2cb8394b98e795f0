// swift-tools-version:6.1
import PackageDescription

// Batch commands call small Rendering/Addresses functions millions of times; letting the
// optimizer inline them across modules doubles ip-classify's throughput (Benchmarks/).
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"])]

let package = Package(
    name: "nettool",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nettool", targets: ["nettool"]),
        // Every module that parses outside bytes, for the fuzz harnesses in Fuzz/ (a package of
        // their own, built with -sanitize=fuzzer,address by scripts/fuzz.sh).
        .library(name: "NettoolParsing", targets: [
            "Addresses", "Capture", "Datagrams", "FileTransfer", "Flows", "HostState", "Packets", "Ports", "Rendering", "TCPEcho", "TLS",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // SHA-256 for Repr-Digest and verified downloads (BoringSSL's assembly keeps up with loopback).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // TLS (BoringSSL) for download https://, file-server --tls and echo over TLS.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Certificates nettool makes (--tls-self-signed), reads and verifies with a reason.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        // Latency percentiles for the TCP load generator.
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Pure logic: no I/O, no C. Bytes or strings in, values out.
        .target(name: "Rendering", swiftSettings: crossModule),
        .target(name: "Addresses", dependencies: ["Rendering"], swiftSettings: crossModule),
        // What /proc says about this host's ports and sockets: settings, bound sockets, drops.
        .target(name: "HostState", dependencies: ["Addresses"]),
        // Port facts: the IANA table (pure) against the host's live state.
        .target(name: "Ports", dependencies: ["Addresses", "HostState", "Rendering"]),
        // Socket endpoints as people read them, name resolution, the one connector and the one
        // network error (sentence and exit status) every command shares.
        .target(
            name: "Endpoints",
            dependencies: [
                "Addresses", "HostState", "Rendering", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // UDP sender and receiver over SwiftNIO, with --explain narration.
        .target(
            name: "Datagrams",
            dependencies: [
                "Addresses", "Endpoints", "HostState", "ProcessIO", "Rendering", "Tables",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // TLS: the only module that imports NIOSSL and X509. The hellos read off the wire (pure),
        // certificates summarised and verified with a reason, the client and server sides.
        .target(
            name: "TLS",
            dependencies: [
                "Addresses", "Rendering",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The listening side every nettool server shares: bind, connection registry, graceful stop.
        .target(
            name: "Serving",
            dependencies: [
                "Addresses", "Endpoints", "ProcessIO", "Rendering", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // TCP echo server, client and load generator over SwiftNIO, with --explain narration.
        .target(
            name: "TCPEcho",
            dependencies: [
                "Addresses", "Endpoints", "Rendering", "Serving", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Linux calls that Glibc's Swift module leaves out (they need _GNU_SOURCE).
        .target(name: "CLinuxIO"),
        // file-server (HTTP/1.1 and the raw lesson protocol) and download.
        .target(
            name: "FileTransfer",
            dependencies: [
                "Addresses", "CLinuxIO", "Endpoints", "ProcessIO", "Rendering", "Serving", "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // ARP and NDP decoders and their text/JSON forms: pure Swift over bytes, no libpcap types.
        .target(name: "Packets", dependencies: ["Addresses", "Rendering"], swiftSettings: crossModule),
        // Tables bounded in memory: the least recently used entry makes room (pure, no dependencies).
        .target(name: "Tables"),
        // TCP connections tracked from their segments: states, relative numbers, tshark's analysis
        // marks, the conversation summary and the ladder diagram. Pure.
        .target(name: "Flows", dependencies: ["Addresses", "Packets", "Rendering", "Tables"]),
        // The neighbour table, arpwatch/ndpmon-style alerts and OUI vendors, learnt from decoded packets.
        .target(name: "Neighbors", dependencies: ["Addresses", "Packets", "Rendering", "Tables"]),
        // libpcap's API (headers from libpcap-dev), loaded with dlopen on first use rather than
        // linked, so only `capture` pays for it and its dependencies at start-up.
        .target(name: "CPcap", linkerSettings: [.linkedLibrary("dl")]),
        // The read loop (CaptureSession), what each frame becomes (FrameProcessor), and libpcap.
        .target(name: "Capture", dependencies: ["CPcap", "Addresses", "Flows", "HostState", "Neighbors", "Packets", "Ports", "ProcessIO", "Rendering"]),
        // `nettool tour`: lessons that run nettool's own commands on loopback and explain each step.
        .target(name: "Tour", dependencies: ["Flows", "HostState", "Packets", "ProcessIO", "Rendering"]),
        // What a command-line process does around its work: stdin readers, signals, limits.
        .target(name: "ProcessIO"),
        // The thin CLI: argument parsing, printing, exit codes.
        .executableTarget(
            name: "nettool",
            dependencies: [
                "Addresses", "Capture", "Datagrams", "Endpoints", "FileTransfer", "HostState", "Neighbors", "Packets", "Ports",
                "ProcessIO", "Rendering", "Serving", "TCPEcho", "Tour",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering"]),
        .testTarget(name: "AddressesTests", dependencies: ["Addresses"]),
        .testTarget(name: "PortsTests", dependencies: ["Ports", "HostState", "Addresses"]),
        .testTarget(name: "DatagramsTests", dependencies: [
            "Datagrams", "Endpoints", "Rendering",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "TCPEchoTests", dependencies: ["TCPEcho", "Endpoints", .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "FileTransferTests", dependencies: ["FileTransfer", "Serving", "Rendering",
                                                        .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "TLSHandshakeTests", dependencies: ["TLS"]),
        // Frames built byte by byte for the decoder, neighbour and capture tests.
        .target(name: "PacketFixtures", path: "Tests/PacketFixtures"),
        .testTarget(name: "PacketsTests", dependencies: ["Packets", "Addresses", "PacketFixtures"]),
        .testTarget(name: "NeighborsTests", dependencies: ["Neighbors", "Capture", "Packets", "Addresses", "PacketFixtures"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Packets", "PacketFixtures"]),
        .testTarget(name: "FlowsTests", dependencies: ["Flows", "Packets", "Addresses", "Tables", "PacketFixtures"]),
        .testTarget(name: "NettoolCLITests", dependencies: ["nettool", "Capture", "Endpoints", "Packets", "PacketFixtures", "ProcessIO", "Rendering"]),
    ]
)
