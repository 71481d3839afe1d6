import Foundation

/// Helpers the test targets share: a scratch folder, the ffmpeg 5.1 command
/// line as an independent oracle and media generator, and the shared corpus.
///
/// Only tests run external programs; the product never does.
public enum TestMedia {
    /// The package root (found from this file's path).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/corpus` beside the checkout, or nil when absent (a user's clone).
    public static var corpus: URL? {
        let candidates = [
            ProcessInfo.processInfo.environment["PIXSIM_CORPUS"].map { URL(fileURLWithPath: $0) },
            packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus"),
        ].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("README.md").path) }
    }

    /// Whether the shared corpus is here (tests that read it carry ``Testing/Trait/needsCorpus``).
    public static var hasCorpus: Bool { corpus != nil }

    /// The corpus lacks a file a test needs (or is absent, in a test without ``Testing/Trait/needsCorpus``): a failure, never a pass.
    public struct MissingCorpusFile: Error, CustomStringConvertible {
        public var relativePath: String
        public var description: String { "corpus file \(relativePath) is missing (../shared/corpus or PIXSIM_CORPUS)" }
    }

    /// A corpus file that must be there: the test carries ``Testing/Trait/needsCorpus``,
    /// so on a clone without the corpus it is reported as skipped before it gets here.
    public static func corpusFile(_ relativePath: String) throws -> URL {
        guard let corpus else { throw MissingCorpusFile(relativePath: relativePath) }
        let url = corpus.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw MissingCorpusFile(relativePath: relativePath) }
        return url
    }

    /// A corpus file for an extra check inside a test that runs without the corpus
    /// too; nil, with a note on stderr, when the corpus is absent.
    public static func corpusFileIfPresent(_ relativePath: String) -> URL? {
        guard let corpus else {
            FileHandle.standardError.write(Data("note: ../shared/corpus is absent; skipping the extra check on \(relativePath)\n".utf8))
            return nil
        }
        return corpus.appendingPathComponent(relativePath)
    }

    /// The bundled samples folder.
    public static var samples: URL { packageRoot.appendingPathComponent("samples") }

    /// Where this test process's temporary folders go: `pixsim-tests-<pid>` in the system's
    /// temporary folder, removed when the process exits. Folders a test keeps for the whole run
    /// (shared fixtures) or loses to a failed expectation go with it, and the roots of runs that
    /// were killed are removed by the next run, so the suite does not fill `/tmp` run after run.
    static let temporaryRoot: URL = {
        let system = FileManager.default.temporaryDirectory
        let prefix = "pixsim-tests-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: system.path)) ?? [] where name.hasPrefix(prefix) {
            // A root whose process is gone (kill(pid, 0) fails with ESRCH) is left over.
            if let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: system.appendingPathComponent(name))
            }
        }
        let root = system.appendingPathComponent("\(prefix)\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestMedia.temporaryRoot) }
        return root
    }()

    /// A fresh temporary folder; the caller may remove it when done, and it is removed with
    /// ``temporaryRoot`` when the test process exits in any case.
    public static func makeTemporaryDirectory(_ label: String = "pixsim-test") throws -> URL {
        let url = temporaryRoot.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The built `pixsim-media` executable: beside the test bundle in the build folder.
    public static var cliExecutable: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the runner is `<build>/pixsim-mediaPackageTests.xctest`; go up until the executable is found.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("pixsim-media")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/pixsim-media")
    }

    /// Runs the `pixsim-media` command line; never throws on a non-zero exit.
    @discardableResult
    public static func cli(_ arguments: [String]) throws -> (stdout: String, stderr: String, status: Int32) {
        try run(cliExecutable.path, arguments, allowFailure: true)
    }

    /// Whether the ffmpeg command line is installed (tests that need it as an oracle skip otherwise).
    public static var hasFFmpeg: Bool { findExecutable("ffmpeg") != nil && findExecutable("ffprobe") != nil }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public struct CommandFailure: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String
        public var description: String { "\(command) exited \(status): \(stderr.suffix(2000))" }
    }

    /// Runs a program and returns its stdout; throws with its stderr on a non-zero exit.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], allowFailure: Bool = false) throws -> (stdout: String, stderr: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: findExecutable(program) ?? program)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a chatty program never blocks on a full pipe.
        let errData = LockedData()
        let errThread = Thread { errData.value = err.fileHandleForReading.readDataToEndOfFile() }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        let stdout = String(decoding: outData, as: UTF8.self)
        let stderr = String(decoding: errData.value ?? Data(), as: UTF8.self)
        if process.terminationStatus != 0 && !allowFailure {
            throw CommandFailure(command: ([program] + arguments).joined(separator: " "), status: process.terminationStatus, stderr: stderr)
        }
        return (stdout, stderr, process.terminationStatus)
    }

    /// Runs `ffmpeg -hide_banner -loglevel error -y ARGS`.
    public static func ffmpeg(_ arguments: [String]) throws {
        try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments)
    }

    /// A copy of `source` (packets as they are) into `destination`'s container, its video packets' times
    /// rewritten by ffmpeg's `setts` filter when `videoTimes` is given (an expression of `TS`, the packet's
    /// number `N` and the time base `TB`: `if(gte(N,25),TS+3600/TB,TS)` jumps an hour at the 26th).
    /// `live` writes Matroska as a recording does, without a length or cues.
    public static func retimedCopy(of source: URL, to destination: URL, videoTimes: String? = nil, live: Bool = false) throws {
        let retiming = videoTimes.map { ["-bsf:v", "setts=ts='\($0)'"] } ?? []
        try ffmpeg(["-i", source.path, "-c", "copy"] + retiming + (live ? ["-live", "1"] : []) + [destination.path])
    }

    /// `ffprobe -of json` with the given arguments, parsed.
    /// A file ffprobe cannot read gives an empty dictionary when `allowFailure`.
    public static func ffprobeJSON(_ arguments: [String], allowFailure: Bool = false) throws -> [String: Any] {
        let result = try run("ffprobe", ["-v", "error", "-of", "json"] + arguments, allowFailure: allowFailure)
        if result.status != 0 { return [:] }
        return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    /// Generates a test clip with lavfi sources: `testsrc2` video (moving
    /// content, never black) and optionally a sine tone.
    /// - Returns: the file's URL.
    @discardableResult
    public static func makeClip(at url: URL, seconds: Double = 2, width: Int = 320, height: Int = 240, fps: Int = 25,
                                audio: Bool = true, codec: [String] = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
                                extra: [String] = []) throws -> URL {
        var args = ["-f", "lavfi", "-i", "testsrc2=size=\(width)x\(height):rate=\(fps):duration=\(seconds)"]
        if audio { args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)"] }
        args += codec
        if audio { args += ["-c:a", "aac", "-b:a", "96k"] }
        args += extra + ["-shortest", url.path]
        try ffmpeg(args)
        return url
    }

    /// `ffprobe -count_packets` for the first video stream: nb_read_packets.
    public static func packetCount(_ url: URL) throws -> Int {
        let json = try ffprobeJSON(["-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", url.path])
        let streams = json["streams"] as? [[String: Any]] ?? []
        return Int(streams.first?["nb_read_packets"] as? String ?? "") ?? -1
    }

    /// `ffmpeg -f framemd5` of the first video stream: one (pts, md5) per decoded frame.
    public static func frameMD5(_ url: URL, extra: [String] = []) throws -> [(pts: Int64, md5: String)] {
        let result = try run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", url.path] + extra + ["-map", "0:v:0", "-f", "framemd5", "-"])
        return result.stdout.split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 6, let pts = Int64(fields[2]) else { return nil }
            return (pts, fields[5])
        }
    }
}

private final class LockedData: @unchecked Sendable {
    // Written once by the reader thread, then read after isSet; guarded by the lock.
    private let lock = NSLock()
    private var stored: Data?
    private var done = false
    var value: Data? {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; done = true; lock.unlock() }
    }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
}
