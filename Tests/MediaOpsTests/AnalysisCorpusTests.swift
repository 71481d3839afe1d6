import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// Segments on real files with known truth (the shared corpus; skipped with a note when absent), and bad input.
@Suite(.serialized)
struct AnalysisCorpusTests {
    @Test(.needsCorpus) func counterHasItsTwoColourChangesAsExactCuts() throws {
        // counter.mp4: 30 frames at 10 fps; the background changes colour at
        // frame #11 and #21 (1-based labels), i.e. frames 10 and 20. PySceneDetect's
        // adaptive and histogram detectors find only 20; its content detector none.
        let url = try TestMedia.corpusFile("PySceneDetect/counter.mp4")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.frameCount == 30)
        #expect(abs(analysis.fps - 10) < 1e-9)
        #expect(abs(analysis.durationSec - 3) < 1e-6)
        #expect(analysis.segments.map(\.startFrame) == [0, 10, 20])
        #expect(analysis.segments.map(\.transitionIn) == [.start, .cut, .cut])
        #expect(analysis.segments.map(\.startTime) == [0, 1, 2])
        // The three backgrounds: grey-blue, brick red, green.
        let tops = analysis.segments.compactMap { $0.dominantColors.first?.hex }
        #expect(tops.count == 3)
        if tops.count == 3 {
            let rgb = tops.map { hex -> (Int, Int, Int) in
                let v = Int(hex.dropFirst(), radix: 16) ?? 0
                return (v >> 16, (v >> 8) & 0xff, v & 0xff)
            }
            #expect(rgb[0].2 > rgb[0].0)   // bluish grey
            #expect(rgb[1].0 > rgb[1].1 + 30)  // red
            #expect(rgb[2].1 > rgb[2].0 + 30)  // green
        }
    }

    @Test(.needsCorpus) func fadesHasTwoFadeBoundariesNearThePySceneDetectGoldens() throws {
        // fades.mp4: 250 frames, flat grey fading through black; ThresholdDetector golden: cuts at 84, 167.
        let url = try TestMedia.corpusFile("PySceneDetect/fades.mp4")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.frameCount == 250)
        let boundaries = analysis.segments.dropFirst().map(\.startFrame)
        #expect(boundaries.count == 2)
        if boundaries.count == 2 {
            #expect(abs(boundaries[0] - 84) <= 2)
            #expect(abs(boundaries[1] - 167) <= 2)
        }
        #expect(analysis.segments.dropFirst().allSatisfy { $0.transitionIn == .fade })
    }

    @Test(.needsCorpus) func rotatedAndDelayedFilesAnalyse() throws {
        let rotated = try TestMedia.corpusFile("PySceneDetect/issue-134-rotate.mp4")
        let delayed = try TestMedia.corpusFile("PySceneDetect/delayed_start.mp4")
        let r = try VideoAnalyzer.analyze(path: rotated.path)
        #expect(r.frameCount == 240)
        #expect(r.segments.first?.startFrame == 0 && r.segments.last?.endFrame == 240)
        // Segments tile the video.
        for (a, b) in zip(r.segments, r.segments.dropFirst()) { #expect(a.endFrame == b.startFrame) }
        let d = try VideoAnalyzer.analyze(path: delayed.path)
        #expect(d.frameCount == 24)
        // Times are from the file's start, which is where this video starts (1.075 s).
        #expect(d.segments.first?.startTime == 0)
    }

    @Test(.needsCorpus) func thumbnailsAreWrittenUprightForEachSegment() throws {
        let rotated = try TestMedia.corpusFile("PySceneDetect/issue-134-rotate.mp4")
        let folder = try TestMedia.makeTemporaryDirectory("segthumbs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let analysis = try SegmentThumbnails.write(try VideoAnalyzer.analyze(path: rotated.path), into: folder.path)
        for segment in analysis.segments {
            let path = try #require(segment.thumbnail)
            #expect(path.hasSuffix(String(format: "seg_%03d.jpg", segment.index)))
            let json = try TestMedia.ffprobeJSON(["-show_entries", "stream=width,height", path])
            let stream = (json["streams"] as? [[String: Any]])?.first
            // 1280x544 rotated by 90 degrees: portrait.
            #expect((stream?["height"] as? Int ?? 0) > (stream?["width"] as? Int ?? 0))
        }
    }

    @Test func badInputGivesMediaErrors() throws {
        #expect(throws: MediaError.self) { try VideoAnalyzer.analyze(path: "/nonexistent/clip.mp4") }
        let folder = try TestMedia.makeTemporaryDirectory("badinput")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("not a video at all\n".utf8).write(to: text)
        do {
            _ = try VideoAnalyzer.analyze(path: text.path)
            Issue.record("a text file analysed")
        } catch {
            #expect(error.code == .notMedia)
        }
        let audio = folder.appendingPathComponent("tone.m4a")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", audio.path])
        do {
            _ = try VideoAnalyzer.analyze(path: audio.path)
            Issue.record("an audio file analysed")
        } catch {
            #expect(error.code == .noVideo)
        }
    }

    @Test(.needsCorpus) func corpusFilesThatCannotBeAnalysedSayWhy() throws {
        let vvc = try #require(TestMedia.corpusFileIfPresent("mp4ff/vvc_400kbps_2s.mp4"))
        do {
            _ = try VideoAnalyzer.analyze(path: vvc.path)
            Issue.record("VVC analysed")
        } catch {
            #expect(error.code == .unsupportedCodec)
        }
        for broken in ["streamio-ffmpeg/broken.mp4", "file-type/fixture-corrupt.mkv", "mp4ff/init_truncated.mp4"] {
            let url = try #require(TestMedia.corpusFileIfPresent(broken))
            #expect(throws: MediaError.self, "\(broken)") { try VideoAnalyzer.analyze(path: url.path) }
        }
    }

    /// A read that fails near the end on a damaged size field ("Cannot allocate memory": a block repeated in
    /// an AV1 IVF file, ``ConcatTests/unreadableTail``) ends the video there: every frame before it is measured, the decoder's last ones too
    /// (two were lost when the pass stopped at the failed read without draining it), with a warning.
    @Test(.needsFFmpeg, .needsCorpus) func aTailThatCannotBeReadEndsTheVideoWithEveryFrameBefore() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try ConcatTests.unreadableTail.damage.copy(of: ConcatTests.unreadableTail.file, in: folder)
        let analysis = try VideoAnalyzer.analyze(path: damaged.path)
        #expect(analysis.frameCount == (try EditingOracle.frames(damaged).count))
        #expect(analysis.warnings.contains { $0.hasPrefix("damaged data") }, "\(analysis.warnings)")
    }

    @Test(.needsCorpus) func truncatedFileGivesAnErrorOrTheFramesItHas() throws {
        // fixture2.mkv claims 1132 s but holds 100 KB: either the frames that are
        // there (tolerated damage) or a MediaError; never a crash.
        let url = try TestMedia.corpusFile("file-type/fixture2.mkv")
        do {
            let analysis = try VideoAnalyzer.analyze(path: url.path)
            #expect(analysis.frameCount > 0)
            #expect(analysis.durationSec < 1132)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }
}
