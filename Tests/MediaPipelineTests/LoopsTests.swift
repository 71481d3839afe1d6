import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// `loops` (issue 11 item 1): on periodic footage the exact period, first, every time; on real footage with
/// no loop, none; a still picture is no loop.
@Suite struct LoopsTests {
    struct Found: Decodable {
        var loops: [Loop]
        struct Loop: Decodable {
            var start_frame: Int
            var end_frame: Int
            var score: Double
            var seam_psnr: Double
        }
    }

    func loops(_ file: URL, _ extra: [String] = []) throws -> [Found.Loop] {
        let binary = try PipelineFixture.executable().path
        let output = try TestMedia.run(binary, ["loops", file.path, "--json"] + extra).stdout
        return try JSONDecoder().decode(Found.self, from: Data(output.utf8)).loops
    }

    /// A still picture made into periodic footage by `filter` (its period in frames at 25 fps), H.264.
    func periodic(_ name: String, filter: String, crf: Int, in folder: URL) throws -> URL {
        let tile = folder.appendingPathComponent("tile.png")
        if !FileManager.default.fileExists(atPath: tile.path) {
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x180:d=1", "-frames:v", "1", tile.path])
        }
        let out = folder.appendingPathComponent(name)
        try TestMedia.ffmpeg(["-loop", "1", "-i", tile.path, "-vf", filter + ",format=yuv420p", "-r", "25", "-t", "6",
                              "-c:v", "libx264", "-preset", "veryfast", "-crf", "\(crf)", out.path])
        return out
    }

    @Test(.needsFFmpeg, arguments: [
        // (filter, period in frames, crf)
        ("scroll=horizontal=0.02", 50, 18),            // a pan over a tiled picture
        ("scroll=horizontal=0.025", 40, 30),           // another period, more compression
        ("rotate=2*PI*t/1.6:c=black,noise=alls=12:allf=t", 40, 30),  // a rotation with noise and compression
        ("rotate=2*PI*t/1.2:c=black", 30, 23),
    ])
    func periodicFootageGivesItsExactPeriodFirst(filter: String, period: Int, crf: Int) throws {
        let folder = try TestMedia.makeTemporaryDirectory("loops")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try periodic("p.mp4", filter: filter, crf: crf, in: folder)
        let found = try loops(clip)
        let best = try #require(found.first, "no loop found in \(filter)")
        #expect(best.end_frame - best.start_frame == period, "\(filter): \(found.map { $0.end_frame - $0.start_frame })")
        #expect(best.score >= 0.5 && best.seam_psnr > 30)
        // Whatever else is listed is a multiple of the period (the loop played twice is a loop too).
        for loop in found { #expect((loop.end_frame - loop.start_frame) % period == 0, "\(filter): \(loop)") }
        // Bounds are honoured: loops shorter than the period only.
        #expect(try loops(clip, ["--min-length", "0.2", "--max-length", "\(Double(period - 5) / 25)"]).isEmpty)
    }

    @Test(.needsFFmpeg) func aStillPictureIsNoLoop() throws {
        let folder = try TestMedia.makeTemporaryDirectory("loops-still")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The tile as is, for 6 s: every frame the same picture (a seam anywhere would be invisible, yet nothing moves).
        let still = try periodic("still.mp4", filter: "null", crf: 18, in: folder)
        #expect(try loops(still).isEmpty)
    }

    /// Real camera and film footage without a repeating stretch: nothing reaches the acceptance score.
    @Test(.needsCorpus, arguments: ["moviepy/chaplin.mp4", "mp4parser/foreman-hevc-384.mp4", "PySceneDetect/issue-195-aspect-ratio.mp4",
                                    "ffmpeg-python/in.mp4"])
    func realFootageWithoutRepetitionHasNoLoop(file: String) throws {
        #expect(try loops(try TestMedia.corpusFile(file)).isEmpty)
    }

    @Test func notAVideoIsOneErrorLine() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("loops-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("not a video".utf8).write(to: text)
        let result = try TestMedia.run(binary, ["loops", text.path], allowFailure: true)
        #expect(result.status == 1 && result.stderr.hasPrefix("error: \(text.path): "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// The loops stage: asked for by name, it stores the loops, and `assets show` lists them.
    @Test(.needsFFmpeg) func theLoopsStageStoresWhatAssetsShowLists() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("loops-stage")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try periodic("pan.mp4", filter: "scroll=horizontal=0.02", crf: 18, in: folder)
        let library = ["--library", folder.appendingPathComponent("library").path]
        func detail(_ id: Int) throws -> [String: Any] {
            let text = try TestMedia.run(binary, ["assets", "show"] + library + ["\(id)", "--json"]).stdout
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        // The default stages do not search for loops.
        let plain = try TestMedia.run(binary, ["ingest"] + library + [clip.path, "--json"]).stdout
        let id = try #require(((try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any])?["items"] as? [[String: Any]])?
            .first?["asset_id"] as? Int)
        #expect((try detail(id)["loops"] as? [Any])?.isEmpty == true)
        _ = try TestMedia.run(binary, ["ingest"] + library + [clip.path, "--stages", "loops"])
        let loops = try #require(try detail(id)["loops"] as? [[String: Any]])
        let best = try #require(loops.first)
        #expect((best["end_frame"] as? Int ?? 0) - (best["start_frame"] as? Int ?? 0) == 50)
        let stages = try #require(try detail(id)["stages"] as? [[String: Any]])
        #expect(stages.contains { $0["stage"] as? String == "loops" && $0["status"] as? String == "succeeded" })
        #expect(try TestMedia.run(binary, ["assets", "show"] + library + ["\(id)"]).stdout.contains("loop frames"))
    }

    /// `--render`: the best loop's frames, exactly (frame count by ffprobe); no loop in range: an error, no file.
    @Test(.needsFFmpeg) func renderWritesTheBestLoopOrNothing() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("loops-render")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try periodic("pan.mp4", filter: "scroll=horizontal=0.025", crf: 18, in: folder)
        let out = folder.appendingPathComponent("loop.mp4")
        let run = try TestMedia.run(binary, ["loops", clip.path, "--render", out.path, "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((document["rendered"] as? [String: Any])?["frames"] as? Int == 40)
        let probe = try TestMedia.ffprobeJSON(["-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", out.path])
        #expect(((probe["streams"] as? [[String: Any]])?.first?["nb_read_frames"] as? String) == "40")
        let none = folder.appendingPathComponent("none.mp4")
        let refused = try TestMedia.run(binary, ["loops", clip.path, "--max-length", "1.2", "--render", none.path], allowFailure: true)
        #expect(refused.status == 1 && refused.stderr.contains("no seamless loop"))
        #expect(!FileManager.default.fileExists(atPath: none.path))
    }

    /// Frame `index` of `file` as 8-bit grey, by the ffmpeg command line (the oracle's decoder).
    func greyFrame(_ file: URL, _ index: Int, in folder: URL) throws -> [UInt8] {
        let raw = folder.appendingPathComponent("frame-\(file.lastPathComponent)-\(index).gray")
        try TestMedia.ffmpeg(["-i", file.path, "-vf", "select=eq(n\\,\(index))", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", raw.path])
        return [UInt8](try Data(contentsOf: raw))
    }

    func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }

    /// A seam that shows (the picture brightens as it turns, so the loop's end is lighter than its start) gets a
    /// crossfade: the file keeps the loop's frame count, its last frame is the loop's own, and its first is
    /// mostly the frame that followed the loop in the source, so playing on from the last frame shows what
    /// the source showed next instead of a jump back in brightness.
    @Test(.needsFFmpeg) func aVisibleSeamIsCrossfadedInsideTheLoopsFrames() throws {
        let binary = try PipelineFixture.executable().path
        let folder = try TestMedia.makeTemporaryDirectory("loops-seam")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try periodic("drift.mp4", filter: "rotate=2*PI*t/1.6:c=black,eq=brightness='0.03*t':eval=frame", crf: 18, in: folder)
        let out = folder.appendingPathComponent("loop.mp4")
        let run = try TestMedia.run(binary, ["loops", clip.path, "--render", out.path, "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let best = try #require((document["loops"] as? [[String: Any]])?.first)
        let start = try #require(best["start_frame"] as? Int), end = try #require(best["end_frame"] as? Int)
        #expect(end - start == 40)
        let rendered = try #require(document["rendered"] as? [String: Any])
        #expect(rendered["method"] as? String == "crossfade", "\(rendered)")
        #expect(rendered["crossfade_frames"] as? Int == 5)
        #expect((rendered["seam_psnr"] as? Double ?? 99) < LoopRenderer.invisibleSeamPSNR)
        let probe = try TestMedia.ffprobeJSON(["-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", out.path])
        #expect(((probe["streams"] as? [[String: Any]])?.first?["nb_read_frames"] as? String) == "40")

        let first = try greyFrame(out, 0, in: folder), last = try greyFrame(out, 39, in: folder)
        let loopStart = try greyFrame(clip, start, in: folder), afterEnd = try greyFrame(clip, end, in: folder)
        let loopLast = try greyFrame(clip, end - 1, in: folder)
        #expect(meanDifference(last, loopLast) < 2, "the loop's own frames are kept")
        let toNext = meanDifference(first, afterEnd), toStart = meanDifference(first, loopStart)
        #expect(toNext < toStart, "the first frame continues from the last (\(toNext)) rather than jumping back (\(toStart))")
    }
}
