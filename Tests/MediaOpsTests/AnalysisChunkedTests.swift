import Foundation
import LibAV
@testable import MediaOps
import MediaTestSupport
import Testing

/// The chunked, multi-core measuring pass must give exactly what one
/// sequential pass gives: the same frames (count, timestamps, measures) and
/// the same segments, whatever the GOP structure (B-frames, open GOPs, edit lists).
@Suite(.serialized)
struct AnalysisChunkedTests {
    /// Analyses `url` sequentially and in chunks and compares everything.
    /// - Returns: the number of chunks the plan made (more than one, or the comparison would prove nothing).
    @discardableResult
    static func expectChunkedEqualsSequential(_ url: URL, workers: Int = 3) throws -> Int {
        let input = try InputValidation.openWithStreamInfo(url.path)
        let stream = try #require(input.bestStream(.video))
        let chunks = ChunkedMeasuring.plan(input: input, streamIndex: stream.index, parts: 3 * workers).chunks
        let sequential = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 1))
        let chunked = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: workers))
        #expect(chunked.frameCount == sequential.frameCount, "\(url.lastPathComponent)")
        #expect(chunked.frames == sequential.frames, "\(url.lastPathComponent): frame timestamps and measures")
        #expect(chunked.segments == sequential.segments, "\(url.lastPathComponent): segments")
        #expect(chunked.durationSec == sequential.durationSec)
        if chunks.count > 1 {
            // The joins checked out: the analysis above did not quietly fall back to one sequential pass.
            let parameters = stream.parameters
            let direct = ChunkedMeasuring.measure(path: url.path, streamIndex: stream.index, chunks: chunks,
                                                  width: parameters.width, height: parameters.height, workers: workers)
            #expect(direct?.measures.timestamps == sequential.frames.map(\.timestamp), "\(url.lastPathComponent)")
        }
        return chunks.count
    }

    static func make(_ name: String, codec: [String]) throws -> URL {
        let folder = try TestMedia.makeTemporaryDirectory("analysis-chunked")
        let url = folder.appendingPathComponent(name)
        // Three shots (cuts at frames 50 and 100), a pan-like moving pattern in the last.
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=2",
                              "-f", "lavfi", "-i", "mandelbrot=s=320x240:r=25,trim=duration=2",
                              "-filter_complex", "[0][1][2]concat=n=3:v=1:a=0,format=yuv420p"] + codec + [url.path])
        return url
    }

    @Test("H.264 with B-frames and short closed GOPs: chunks join exactly", arguments: [
        ["-c:v", "libx264", "-preset", "medium", "-g", "20", "-bf", "3"],
        ["-c:v", "libx264", "-preset", "medium", "-g", "20", "-bf", "3", "-x264-params", "open-gop=1"],
    ])
    func h264(codec: [String]) throws {
        let url = try Self.make("h264.mp4", codec: codec)
        let chunks = try Self.expectChunkedEqualsSequential(url)
        #expect(chunks > 1)
        // The oracle: every frame ffmpeg decodes is measured once.
        let analysis = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 3))
        #expect(analysis.frameCount == (try TestMedia.frameMD5(url)).count)
        #expect(analysis.segments.map(\.startFrame) == [0, 50, 100])
    }

    @Test("HEVC with open GOPs (CRA, leading pictures) and Matroska: chunks join exactly")
    func hevcOpenGOP() throws {
        for name in ["hevc.mp4", "hevc.mkv"] {
            let url = try Self.make(name, codec: ["-c:v", "libx265", "-preset", "fast", "-x265-params", "keyint=20:min-keyint=20:open-gop=1:log-level=error"])
            let chunks = try Self.expectChunkedEqualsSequential(url)
            // MP4's index gives every keyframe's position; Matroska's cues point at clusters, so it may stay in one piece.
            if name.hasSuffix(".mp4") { #expect(chunks > 1) }
            let analysis = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 2))
            #expect(analysis.frameCount == (try TestMedia.frameMD5(url)).count, "\(name)")
        }
    }

    @Test("corpus: edit lists, open GOPs, B-frames, all-intra")
    func corpus() throws {
        let names = ["mediabunny/edit-list-discard.mp4", "mediabunny/video-h265.mp4", "mp4parser/foreman-hevc-384.mp4",
                     "mp4parser/BBB_fixedres_B_180x320_80.mp4", "PySceneDetect/fades.mp4", "PySceneDetect/issue-134-rotate.mp4"]
        var found = 0, chunked = 0
        for name in names {
            guard let url = TestMedia.corpusFile(name) else { continue }
            found += 1
            let chunks = try Self.expectChunkedEqualsSequential(url)
            print("AnalysisChunkedTests.corpus: \(name): \(chunks) chunks")
            if chunks > 1 { chunked += 1 }
        }
        // Most of these have several keyframes in an MP4 index: the chunked path must have been taken.
        if found > 0 { #expect(chunked >= 3) }
    }
}
