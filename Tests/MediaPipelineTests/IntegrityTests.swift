import Foundation
import MediaLibrary
import MediaTestSupport
import Testing

/// Issue 15 item 5: a stored file overwritten with other bytes is noticed
/// before it is rendered, repaired from its original when that is still
/// there, and `verify [--repair]` checks the whole library.
@Suite(.serialized, .enabled(if: TestMedia.hasFFmpeg, "needs ffmpeg"))
struct IntegrityTests {
    @Test func anOverwrittenBlobIsRefusedForRenderingAndRepairedByVerify() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("integrity")
        defer { try? FileManager.default.removeItem(at: folder) }
        let library = folder.appendingPathComponent("lib").path
        let original = try PipelineFixture.makeClip(folder.appendingPathComponent("a.mp4"), seed: 61, seconds: 2)
        let other = try PipelineFixture.makeClip(folder.appendingPathComponent("b.mp4"), seed: 62, seconds: 2)
        _ = try TestMedia.run(binary, ["ingest", "--library", library, original.path, "--stages", "probe"])
        let files = URL(fileURLWithPath: library).appendingPathComponent("files")
        let blob = try #require((FileManager.default.enumerator(atPath: files.path)?.allObjects as? [String])?.first { $0.hasSuffix(".mp4") })
        let stored = files.appendingPathComponent(blob)
        #expect(try TestMedia.run(binary, ["verify", "--library", library]).stdout.contains("1 intact"))

        // Other bytes in the blob: rendering repairs it from the original first.
        try Data(contentsOf: other).write(to: stored)
        let render = try TestMedia.run(binary, ["clips", "create", "--library", library, "1", "--start", "0", "--end", "1", "--render"])
        #expect(render.status == 0)
        #expect(try PipelineFixture.sha256(stored) == (try PipelineFixture.sha256(original)))

        // Damaged with no original left: verify reports it (exit 1), rendering refuses.
        try Data(contentsOf: other).write(to: stored)
        let kept = folder.appendingPathComponent("kept.bin")
        try FileManager.default.moveItem(at: original, to: kept)
        let verify = try TestMedia.run(binary, ["verify", "--library", library, "--repair"], allowFailure: true)
        #expect(verify.status == 1)
        #expect(verify.stderr.contains("error: asset 1: its bytes do not match its SHA-256"))
        let refused = try TestMedia.run(binary, ["clips", "render", "--library", library, "1"], allowFailure: true)
        #expect(refused.status == 1 && refused.stderr.contains("stored file is not usable"))

        // The original back: verify --repair restores the blob.
        try FileManager.default.moveItem(at: kept, to: original)
        let repaired = try TestMedia.run(binary, ["verify", "--library", library, "--repair"])
        #expect(repaired.stdout.contains("1 repaired"))
        #expect(try PipelineFixture.sha256(stored) == (try PipelineFixture.sha256(original)))
        #expect(try TestMedia.run(binary, ["verify", "--library", library]).status == 0)
    }
}
