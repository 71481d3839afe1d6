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
    }
}
