import Foundation
import MediaLibrary
import MediaOps
import MediaPipeline
import MediaTestSupport
import Testing

/// Issue 15 item 10: every input is either processed or reported. Symbolic
/// links to media are followed (and said when their file is outside the
/// folder), `.y4m` is media, and FIFOs, other files and foreign JSON are
/// reported as not processed instead of vanishing from the counts.
@Suite(.serialized, .enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg to make media"))
struct EveryInputReportedTests {
    @Test func batchFollowsLinksReadsY4MAndReportsTheRest() async throws {
        let (store, folder) = try PipelineFixture.makeLibrary()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        let outside = folder.appendingPathComponent("outside")
        for dir in [input, outside] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        try PipelineFixture.makeClip(input.appendingPathComponent("a.mp4"), seed: 41)
        try PipelineFixture.makeClip(outside.appendingPathComponent("b.mp4"), seed: 42)
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10:duration=0.5", "-pix_fmt", "yuv420p",
                              input.appendingPathComponent("c.y4m").path])
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("link.mp4").path,
                                                   withDestinationPath: outside.appendingPathComponent("b.mp4").path)
        try #require(mkfifo(input.appendingPathComponent("pipe.mp4").path, 0o600) == 0)
        try Data("notes".utf8).write(to: input.appendingPathComponent("notes.txt"))
        try Data(#"{"hello": 1}"#.utf8).write(to: input.appendingPathComponent("other.json"))

        let items = try BatchRunner.items(inFolder: input.path)
        #expect(items.count == 6)
        let runner = PipelineFixture.runner(store)
        let report = await BatchRunner(runner: runner, options: PipelineRunner.Options(stages: [.probe]), jobs: 1).run(items)
        func outcome(_ name: String) -> IngestOutcome? { report.outcomes.first { $0.path.hasSuffix("/" + name) } }
        #expect(outcome("a.mp4")?.status == .succeeded)
        #expect(outcome("c.y4m")?.status == .succeeded)
        let link = try #require(outcome("link.mp4"))
        #expect(link.status == .succeeded)
        #expect(link.warnings.contains { $0.contains("outside") })
        for (name, words) in [("pipe.mp4", "FIFO"), ("notes.txt", ".txt"), ("other.json", "not a generation manifest")] {
            let skipped = try #require(outcome(name), "\(name) vanished")
            #expect(skipped.status == .skipped)
            #expect(skipped.warnings.contains { $0.contains(words) }, "\(name): \(skipped.warnings)")
        }
    }

    @Test func aLinkToMediaIsReadAsThatMedia() throws {
        let folder = try TestMedia.makeTemporaryDirectory("links")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try PipelineFixture.makeClip(folder.appendingPathComponent("real.mp4"), seed: 43)
        let link = folder.appendingPathComponent("link.mp4").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: clip.path)
        #expect(try InputValidation.checkReadableFile(link) > 0)
        let fifo = folder.appendingPathComponent("p.mp4").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let error = #expect(throws: MediaError.self) { try InputValidation.checkReadableFile(fifo) }
        #expect(error?.message == "is a FIFO, not a regular file")
    }
}
