// swift-tools-version: 6.0
// pixsim-media: process AI-generated video after a provider finishes a generation.
import PackageDescription

let package = Package(
    name: "pixsim-media",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pixsim-media", targets: ["pixsim-media"]),
        .library(name: "MediaCore", targets: ["MediaCore"]),
        .library(name: "LibAV", targets: ["LibAV"]),
        .library(name: "MediaOps", targets: ["MediaOps"]),
        .library(name: "MediaLibrary", targets: ["MediaLibrary"]),
        .library(name: "MediaPipeline", targets: ["MediaPipeline"]),
        .library(name: "MediaDocuments", targets: ["MediaDocuments"]),
        .library(name: "MediaServer", targets: ["MediaServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            path: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [
                .apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"]),
                .brew(["ffmpeg"]),
            ]
        ),
        // libvpx's VP9 decoder, for the analysis pass (libavcodec's ignores skip_loop_filter).
        .systemLibrary(
            name: "CVPX",
            path: "CVPX",
            pkgConfig: "vpx",
            providers: [.apt(["libvpx-dev"]), .brew(["libvpx"])]
        ),
        // dav1d, the AV1 decoder libavcodec wraps, for the analysis pass (the wrapper cannot skip its filters).
        .systemLibrary(
            name: "CDav1d",
            path: "CDav1d",
            pkgConfig: "dav1d",
            providers: [.apt(["libdav1d-dev"]), .brew(["dav1d"])]
        ),
        .target(
            name: "LibAV",
            dependencies: ["CFFmpeg", "CVPX", "CDav1d", .product(name: "Logging", package: "swift-log")]
        ),
        // The vocabulary every layer shares (error codes); depends on nothing.
        .target(name: "MediaCore"),
        .target(name: "MediaOps", dependencies: ["MediaCore", "LibAV", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "MediaLibrary",
            dependencies: [
                "MediaCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MediaPipeline",
            dependencies: ["MediaCore", "MediaOps", "MediaLibrary", .product(name: "Logging", package: "swift-log")]
        ),
        // The JSON documents of SPEC section 4 and their text forms, for every front end.
        .target(name: "MediaDocuments", dependencies: ["MediaCore", "MediaOps", "MediaLibrary", "MediaPipeline"]),
        // `serve`: the library in a browser (pages) and over HTTP (the JSON API, media by content hash).
        .target(
            name: "MediaServer",
            dependencies: [
                "MediaCore",
                "MediaDocuments",
                "MediaLibrary",
                "MediaOps",
                "MediaPipeline",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(
            name: "pixsim-media",
            dependencies: [
                "MediaDocuments",
                "MediaServer",
                "MediaOps",
                "MediaLibrary",
                "MediaPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "MediaTestSupport", path: "Tests/MediaTestSupport"),
        .testTarget(name: "LibAVTests", dependencies: ["LibAV", "MediaTestSupport"]),
        .testTarget(name: "MediaOpsTests", dependencies: ["MediaOps", "LibAV", "MediaTestSupport"]),
        .testTarget(
            name: "MediaLibraryTests",
            dependencies: ["MediaLibrary", "MediaTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MediaServerTests",
            dependencies: ["MediaServer", "MediaDocuments", "MediaLibrary", "MediaPipeline", "MediaTestSupport"]
        ),
        .testTarget(
            name: "MediaPipelineTests",
            dependencies: ["MediaPipeline", "MediaDocuments", "MediaLibrary", "MediaOps", "MediaTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The same strictness for every target we own (as swift-log's Package.swift does).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}

// libFuzzer targets (`make fuzz`, scripts/fuzz.sh): only when PIXSIM_FUZZ is set,
// since they have no main of their own (libFuzzer's is linked in by -sanitize=fuzzer).
if Context.environment["PIXSIM_FUZZ"] != nil {
    package.targets += [
        .executableTarget(name: "FuzzMedia", dependencies: ["MediaOps"], path: "Fuzz/FuzzMedia"),
        .executableTarget(name: "FuzzManifest", dependencies: ["MediaPipeline"], path: "Fuzz/FuzzManifest"),
    ]
}
