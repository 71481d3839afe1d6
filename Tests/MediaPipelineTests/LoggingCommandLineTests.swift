import Foundation
import MediaTestSupport
import Testing

/// The pipeline logs each stage's start and end with its duration: shown with
/// `--verbose`, silent otherwise (stderr then holds only errors and warnings).
@Suite(.enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg"))
struct LoggingCommandLineTests {
    @Test func verboseShowsStagesWithDurationsAndTheDefaultIsQuiet() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("logging")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("clip.mp4"), seed: 61)
        let quiet = try TestMedia.run(binary, ["ingest", "--library", folder.appendingPathComponent("a").path, "--stages", "probe", clip.path])
        #expect(quiet.stderr.isEmpty)

        let verbose = try TestMedia.run(binary, ["ingest", "--verbose", "--library", folder.appendingPathComponent("b").path,
                                                 "--stages", "probe,thumbnail,segments", clip.path])
        let lines = verbose.stderr.split(separator: "\n")
        for stage in ["probe", "thumbnail", "segments"] {
            #expect(lines.contains { $0.contains("debug") && $0.contains("stage started") && $0.contains("stage=\(stage)") }, "\(stage)")
            #expect(lines.contains { $0.contains("info") && $0.contains("stage ended") && $0.contains("stage=\(stage)")
                && $0.contains("seconds=") && $0.contains("status=succeeded") }, "\(stage)")
        }
        // The decision to share one decode between thumbnail and segments is logged.
        #expect(lines.contains { $0.contains("one analysis pass") && $0.contains("stages=thumbnail,segments") })

        // The names the logs echo are escaped: a newline in one makes no line of its own.
        let named = folder.appendingPathComponent("clip\nerror: forged.mp4")
        try FileManager.default.copyItem(at: clip, to: named)
        let escaped = try TestMedia.run(binary, ["ingest", "--verbose", "--library", folder.appendingPathComponent("c").path,
                                                 "--stages", "probe,segments", named.path])
        #expect(escaped.status == 0)
        let echoed = escaped.stderr.split(separator: "\n")
        #expect(!echoed.contains { $0.hasPrefix("error: forged") })
        #expect(echoed.contains { $0.contains("run started") && $0.contains("clip\\nerror: forged.mp4") })
    }

    /// `segments --verbose` says how it decoded the video: in chunks, each chunk's frames adding up to
    /// the video's, when the index has keyframes to split at and there is more than one core; else in
    /// one pass, and why. Without `--verbose`, nothing of it.
    @Test func verboseSegmentsSaysHowTheVideoWasDecoded() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("analysis-log")
        defer { try? FileManager.default.removeItem(at: folder) }
        func clip(_ name: String, keyframeInterval: Int) throws -> String {
            let url = folder.appendingPathComponent(name)
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25:duration=4", "-c:v", "libx264", "-preset", "ultrafast",
                                  "-g", "\(keyframeInterval)", "-sc_threshold", "0", "-pix_fmt", "yuv420p", url.path])
            return url.path
        }
        /// The value of `key=` in a log line.
        func value(_ key: String, in line: Substring) -> Int? {
            line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.flatMap { Int($0.dropFirst(key.count + 1)) }
        }

        let groups = try clip("groups.mp4", keyframeInterval: 25)
        let quiet = try TestMedia.run(binary, ["segments", "--json", groups])
        #expect(quiet.stderr.isEmpty)
        let verbose = try TestMedia.run(binary, ["segments", "--json", "--verbose", groups])
        struct Analysis: Decodable { var frame_count: Int }
        let frames = try JSONDecoder().decode(Analysis.self, from: Data(verbose.stdout.utf8)).frame_count
        #expect(frames == 100)
        let lines = verbose.stderr.split(separator: "\n")
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            let chunks = lines.filter { $0.contains("chunk decoded") }.compactMap { value("frames", in: $0) }
            #expect(chunks.count > 1)
            #expect(chunks.reduce(0, +) == frames)
            #expect(lines.contains { $0.contains("decoded in chunks") && value("chunks", in: $0) == chunks.count
                && value("frames", in: $0) == frames && $0.contains("workers_apart=") })
        } else {
            #expect(lines.contains { $0.contains("decoded in one pass") && $0.contains("why=one core") && value("frames", in: $0) == frames })
        }

        // One group of pictures: nothing to split at.
        let shot = try clip("shot.mp4", keyframeInterval: 300)
        let one = try TestMedia.run(binary, ["segments", "--json", "--verbose", shot]).stderr.split(separator: "\n")
        #expect(!one.contains { $0.contains("chunk decoded") })
        let why = ProcessInfo.processInfo.activeProcessorCount > 1 ? "why=the index has no keyframe to split the work at" : "why=one core"
        #expect(one.contains { $0.contains("decoded in one pass") && $0.contains(why) && value("frames", in: $0) == 100 })

        // A file's name is echoed escaped: a newline in it makes no line of its own.
        let named = folder.appendingPathComponent("shot\nerror: forged.mp4")
        try FileManager.default.copyItem(atPath: shot, toPath: named.path)
        let escaped = try TestMedia.run(binary, ["segments", "--json", "--verbose", named.path])
        #expect(escaped.status == 0)
        let echoed = escaped.stderr.split(separator: "\n")
        #expect(!echoed.contains { $0.hasPrefix("error: forged") })
        #expect(echoed.contains { $0.contains("decoded in one pass") && $0.contains("shot\\nerror: forged.mp4") })
    }
}
