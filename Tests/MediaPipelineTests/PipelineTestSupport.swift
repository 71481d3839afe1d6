import Foundation
@testable import MediaLibrary
import MediaPipeline
import MediaTestSupport

/// A library in a temporary folder, clips made with the ffmpeg CLI, and the built binary.
enum PipelineFixture {
    static func makeLibrary() throws -> (SQLiteLibraryStore, URL) {
        let folder = try TestMedia.makeTemporaryDirectory("pipeline")
        return (try SQLiteLibraryStore.open(folder: folder.appendingPathComponent("library")), folder)
    }

    /// A distinct small H.264 + AAC clip (the tone frequency makes the bytes differ).
    @discardableResult
    static func makeClip(_ url: URL, seed: Int, seconds: Double = 1, audio: Bool = true) throws -> URL {
        var args = ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=\(seconds)"]
        if audio { args += ["-f", "lavfi", "-i", "sine=frequency=\(200 + seed * 10):sample_rate=48000:duration=\(seconds)"] }
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-metadata", "comment=seed\(seed)"]
        if audio { args += ["-c:a", "aac", "-b:a", "64k"] }
        args += ["-shortest", url.path]
        try TestMedia.ffmpeg(args)
        return url
    }

    static func runner(_ store: SQLiteLibraryStore, operations: PipelineOperations = .standard) -> PipelineRunner {
        PipelineRunner(store: store, operations: operations,
                       downloader: Downloader(stallTimeout: 2, totalTimeout: 10, attempts: 2, initialBackoff: 0.1, maximumBytes: 50 << 20),
                       decoderThreads: 1)
    }

    /// The `pixsim-media` executable built beside the test bundle (`swift build --build-tests`
    /// builds it): a test that needs it fails when it is missing, it is never skipped.
    struct MissingExecutable: Error, CustomStringConvertible {
        var description: String { "the pixsim-media executable is not built (swift build --build-tests builds it)" }
    }

    static func executable() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("pixsim-media"),
            TestMedia.packageRoot.appendingPathComponent(".build/debug/pixsim-media"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw MissingExecutable()
        }
        return found
    }

    /// Starts the command-line tool in the background, its output discarded (long-running commands: watch, worker).
    static func launch(_ binary: URL, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func sha256(_ url: URL) throws -> String {
        String(try TestMedia.run("sha256sum", [url.path]).stdout.prefix(64))
    }
}
