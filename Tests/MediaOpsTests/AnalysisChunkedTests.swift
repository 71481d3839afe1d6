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
        let chunks = ChunkedMeasuring.plan(path: url.path, input: input, streamIndex: stream.index, parts: ChunkedMeasuring.chunksPerWorker * workers).chunks
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
        // Closed groups of pictures: every chunk but the last stops reading at the next one's keyframe.
        // Open ones: the joins whose keyframe has leading pictures decode on, or those pictures were lost.
        let input = try InputValidation.openWithStreamInfo(url.path)
        let stream = try #require(input.bestStream(.video))
        let plan = ChunkedMeasuring.plan(path: url.path, input: input, streamIndex: stream.index, parts: ChunkedMeasuring.chunksPerWorker * 3).chunks
        let stops = plan.dropLast().map { $0.endPosition != nil }
        #expect(plan.last?.endPosition == nil)
        if codec.contains("open-gop=1") { #expect(stops.contains(false)) } else { #expect(!stops.contains(false)) }
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
            // MP4's index gives every keyframe's position, Matroska's cues their clusters'.
            #expect(chunks > 1, "\(name)")
            let analysis = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 2))
            #expect(analysis.frameCount == (try TestMedia.frameMD5(url)).count, "\(name)")
        }
    }

    @Test("Matroska and WebM (an index of cues, without packet sizes): chunks join exactly", arguments: [
        ("vp9.webm", ["-c:v", "libvpx-vp9", "-g", "20", "-deadline", "realtime", "-cpu-used", "8"]),
        ("h264.mkv", ["-c:v", "libx264", "-preset", "medium", "-g", "20", "-bf", "3"]),
    ])
    func matroskaCues(name: String, codec: [String]) throws {
        let url = try Self.make(name, codec: codec)
        let chunks = try Self.expectChunkedEqualsSequential(url)
        #expect(chunks > 1)
        let analysis = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 3))
        #expect(analysis.frameCount == (try TestMedia.frameMD5(url)).count)
        #expect(analysis.segments.map(\.startFrame) == [0, 50, 100])
        // The caller's input stays where it was: the cues were read on an input of the plan's own.
        let input = try InputValidation.openWithStreamInfo(url.path)
        let stream = try #require(input.bestStream(.video))
        let plan = ChunkedMeasuring.plan(path: url.path, input: input, streamIndex: stream.index, parts: 8)
        #expect(!plan.movedInput)
        #expect(plan.chunks.dropLast().allSatisfy { $0.endPosition != nil })
    }

    @Test("Matroska and WebM written live (no cues, no duration): planned from their packets, chunks join exactly", arguments: [
        ("live.mkv", ["-c:v", "libx264", "-preset", "medium", "-g", "20", "-bf", "3", "-f", "matroska", "-live", "1"]),
        ("live.webm", ["-c:v", "libvpx-vp9", "-g", "20", "-deadline", "realtime", "-cpu-used", "8", "-f", "webm", "-live", "1"]),
        // Its video starts at 0.12 s: no keyframe at or before 0, where the plan's first seek used to look.
        ("late.webm", ["-c:v", "libvpx-vp9", "-g", "20", "-deadline", "realtime", "-cpu-used", "8", "-output_ts_offset", "0.12",
                       "-f", "webm", "-live", "1"]),
    ])
    func matroskaWithoutCues(name: String, codec: [String]) throws {
        let url = try Self.make(name, codec: codec)
        // As a recorder or a pipe leaves such a file: nothing says where it ends.
        let input = try InputValidation.openWithStreamInfo(url.path)
        #expect(input.duration == nil)
        let chunks = try Self.expectChunkedEqualsSequential(url)
        #expect(chunks > 1)
        let analysis = try VideoAnalyzer.analyze(path: url.path, options: AnalysisOptions(threads: 3))
        #expect(analysis.frameCount == (try TestMedia.frameMD5(url)).count)
        #expect(analysis.segments.map(\.startFrame) == [0, 50, 100])
    }

    @Test("corpus: edit lists, open GOPs, B-frames, all-intra, WebM", .needsCorpus)
    func corpus() throws {
        let names = ["mediabunny/edit-list-discard.mp4", "mediabunny/video-h265.mp4", "mp4parser/foreman-hevc-384.mp4",
                     "mp4parser/BBB_fixedres_B_180x320_80.mp4", "PySceneDetect/fades.mp4", "PySceneDetect/issue-134-rotate.mp4",
                     "moviepy/big_buck_bunny_0_30.webm", "mediabunny/annex-b-avc.mkv"]
        var chunked = 0
        for name in names {
            let url = try TestMedia.corpusFile(name)
            let chunks = try Self.expectChunkedEqualsSequential(url)
            print("AnalysisChunkedTests.corpus: \(name): \(chunks) chunks")
            if chunks > 1 { chunked += 1 }
        }
        // Most of these have several keyframes in an MP4 index: the chunked path must have been taken.
        #expect(chunked >= 3)
    }
}

/// Stills taken from the analysis decode (the pipeline's one pass for poster, keyframes and segments).
@Suite(.serialized)
struct AnalysisStillsTests {
    /// PSNR (dB) of `image` against frame `frame` of `video` decoded and scaled to the same size by ffmpeg.
    static func psnr(_ image: String, video: URL, frame: Int, width: Int, height: Int) throws -> Double {
        let result = try TestMedia.run("ffmpeg", ["-hide_banner", "-nostdin", "-i", image, "-i", video.path, "-filter_complex",
                                                  "[1:v]select=eq(n\\,\(frame)),scale=\(width):\(height)[ref];[0:v][ref]psnr",
                                                  "-frames:v", "1", "-f", "null", "-"], allowFailure: true)
        let text = result.stderr
        guard let range = text.range(of: "average:") else { return 0 }
        let value = text[range.upperBound...].prefix { !$0.isWhitespace }
        return value == "inf" ? 99 : Double(value) ?? 0
    }

    @Test("poster and uniform keyframes come from the pass: the frames they say, near their places, good pictures")
    func stillsMatchTheirFrames() throws {
        // 4 s: a shot, a fade through black around the first third (the poster's first choice), another shot.
        let folder = try TestMedia.makeTemporaryDirectory("analysis-stills")
        defer { try? FileManager.default.removeItem(at: folder) }
        let video = folder.appendingPathComponent("fade.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=2",
                              "-filter_complex", "[0]fade=t=out:st=1.0:d=0.4[a];[1]fade=t=in:st=0:d=0.6[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p",
                              "-c:v", "libx264", "-preset", "medium", "-g", "25", video.path])
        let request = StillsRequest(posterPath: folder.appendingPathComponent("poster.jpg").path,
                                    keyframesFolder: folder.appendingPathComponent("kf").path, keyframeCount: 5, width: 160)
        let (analysis, stills) = try VideoAnalyzer.analyze(path: video.path, options: AnalysisOptions(threads: 2), stills: request)
        let poster = try #require(stills.poster)
        let keyframes = try #require(stills.keyframes).keyframes
        #expect(keyframes.count == 5)
        #expect(poster.width == 160 && poster.height == 120)
        var stillsMade: [(image: String, frame: Int, time: Double)] = [(poster.output, poster.frame, poster.time)]
        for keyframe in keyframes { stillsMade.append((keyframe.path, keyframe.frame, keyframe.time)) }
        for (image, frame, time) in stillsMade {
            #expect(FileManager.default.fileExists(atPath: image))
            // The image is the frame it names (JPEG of a deblocking-free decode: well above 30 dB).
            #expect(try Self.psnr(image, video: video, frame: frame, width: 160, height: 120) > 30, "\(image) frame \(frame)")
            #expect(abs(analysis.frames[frame].time - time) < 1e-9)
            // A good picture: not black, not mid-fade.
            let quality = analysis.frames[frame].quality
            #expect(quality.posterScore > 0 && !quality.isBlack, "frame \(frame)")
            #expect(frame + 1 >= analysis.frameCount || abs(analysis.frames[frame + 1].quality.brightness - quality.brightness) < 0.01)
        }
        // Keyframes at the middles of five equal parts (0.4, 1.2, 2.0, 2.8, 3.6 s) when the picture there
        // is good; the one at 1.2 s (fading out from 1.0 s) moves to the last steady frame before the
        // fade, the one at 2.0 s (black, then fading in until 2.6 s) to the first steady frame after it.
        for k in [0, 3, 4] {
            #expect(abs(keyframes[k].time - (Double(k) + 0.5) * 0.8) < 0.1, "keyframe \(k) at \(keyframes[k].time)")
        }
        #expect(keyframes[1].time >= 0.8 && keyframes[1].time < 1.0, "keyframe 1 at \(keyframes[1].time)")
        #expect(keyframes[2].time >= 2.6 && keyframes[2].time < 2.8, "keyframe 2 at \(keyframes[2].time)")
        #expect(poster.time > 0.6 && poster.time < 2.0)
    }

    @Test("a rotated video gives upright stills")
    func rotatedStillsAreUpright() throws {
        let folder = try TestMedia.makeTemporaryDirectory("analysis-stills-rotated")
        defer { try? FileManager.default.removeItem(at: folder) }
        let rotated = try ImageOracle.makeRotatedClip(clockwise: 90, at: folder.appendingPathComponent("rotated.mp4"), seconds: 2)
        let request = StillsRequest(posterPath: folder.appendingPathComponent("poster.png").path,
                                    keyframesFolder: folder.appendingPathComponent("kf").path, keyframeCount: 2)
        let stills = try VideoAnalyzer.analyze(path: rotated.path, stills: request).stills
        // Stored 320x240, shown turned a quarter: 240x320.
        #expect(stills.poster?.width == 240 && stills.poster?.height == 320)
        #expect(stills.keyframes?.keyframes.allSatisfy { $0.width == 240 && $0.height == 320 } == true)
    }

    @Test("no good picture near a still's place: nil, and nothing written, so the caller seeks instead")
    func blackVideoGivesNoStills() throws {
        let folder = try TestMedia.makeTemporaryDirectory("analysis-stills-black")
        defer { try? FileManager.default.removeItem(at: folder) }
        let video = folder.appendingPathComponent("black.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "color=c=black:s=160x120:r=25:d=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", video.path])
        let keyframes = folder.appendingPathComponent("kf")
        let stills = try VideoAnalyzer.analyze(path: video.path, stills: StillsRequest(
            posterPath: folder.appendingPathComponent("poster.jpg").path, keyframesFolder: keyframes.path)).stills
        #expect(stills.poster == nil && stills.keyframes == nil)
        #expect(!FileManager.default.fileExists(atPath: keyframes.path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("poster.jpg").path))
    }
}
