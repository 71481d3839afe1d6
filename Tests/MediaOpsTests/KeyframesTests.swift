import Foundation
import LibAV
import MediaOps
import MediaTestSupport
import Testing

/// ffprobe's view of a video's frames: presentation times (seconds from the
/// file's start) in presentation order, with their key flags.
enum FrameOracle {
    static func frames(_ url: URL) throws -> [(time: Double, key: Bool)] {
        let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp_time,key_frame",
                                              "-show_entries", "format=start_time", url.path])
        let start = Double((json["format"] as? [String: Any])?["start_time"] as? String ?? "0") ?? 0
        let frames = json["frames"] as? [[String: Any]] ?? []
        return frames.compactMap { frame -> (Double, Bool)? in
            guard let time = Double(frame["best_effort_timestamp_time"] as? String ?? "") else { return nil }
            return (time - start, (frame["key_frame"] as? Int) == 1)
        }.sorted { $0.0 < $1.0 }
    }

    /// Frame `number` (presentation order) decoded by ffmpeg as rgb24 at `size`.
    static func framePixels(_ url: URL, number: Int, size: (Int, Int), in folder: URL) throws -> [UInt8] {
        let image = folder.appendingPathComponent("oracle-\(number)-\(UUID().uuidString).png")
        try TestMedia.ffmpeg(["-i", url.path, "-vf", "select=eq(n\\,\(number)),scale=\(size.0):\(size.1)", "-frames:v", "1", image.path])
        defer { try? FileManager.default.removeItem(at: image) }
        return try ImageOracle.pixels(image)
    }

    /// Checks that `image` shows frame `number` of `video`: it must look more
    /// like that frame than like either neighbour.
    static func expectShowsFrame(_ image: URL, of video: URL, number: Int, frameCount: Int, in folder: URL,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let info = try ImageOracle.describe(image)
        let ours = try ImageOracle.pixels(image)
        let exact = ImageOracle.meanDifference(ours, try framePixels(video, number: number, size: (info.width, info.height), in: folder))
        for neighbour in [number - 1, number + 1] where neighbour >= 0 && neighbour < frameCount {
            let other = ImageOracle.meanDifference(ours, try framePixels(video, number: neighbour, size: (info.width, info.height), in: folder))
            #expect(exact < other, "image looks more like frame \(neighbour) than \(number)", sourceLocation: sourceLocation)
        }
    }
}

@Suite(.serialized) struct KeyframesTests {
    /// B-frames (veryfast keeps them) and a keyframe every 30 frames.
    static let bFrameCodec = ["-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p"]

    private func extract(_ video: URL, into folder: URL, _ request: KeyframeRequest) throws -> KeyframeSet {
        try KeyframeExtractor.extract(video.path, into: folder.appendingPathComponent("out").path, request: request)
    }

    /// Every image's time and frame number are those of a real frame (ffprobe), and the picture is that frame.
    @Test(.needsFFmpeg, arguments: ["mp4", "mkv", "ts"])
    func uniformTimesAndFrameNumbersAreExact(container: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-uniform")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.\(container)"), seconds: 6, audio: true,
                                          codec: Self.bFrameCodec)
        let frames = try FrameOracle.frames(clip)
        let result = try extract(clip, into: folder, KeyframeRequest(count: 5, strategy: .uniform, format: .png))
        #expect(result.keyframes.count == 5)
        for keyframe in result.keyframes {
            try #require(keyframe.frame >= 0 && keyframe.frame < frames.count)
            #expect(abs(frames[keyframe.frame].time - keyframe.time) < 1e-6, "frame \(keyframe.frame) is at \(frames[keyframe.frame].time) s")
            #expect(keyframe.width == 320 && keyframe.height == 240)
        }
        // Evenly spread: one image in each fifth of the video.
        for (part, keyframe) in result.keyframes.enumerated() {
            #expect(keyframe.time >= 6.0 * Double(part) / 5 && keyframe.time < 6.0 * Double(part + 1) / 5)
        }
        for keyframe in result.keyframes.prefix(2) {
            try FrameOracle.expectShowsFrame(URL(fileURLWithPath: keyframe.path), of: clip, number: keyframe.frame,
                                             frameCount: frames.count, in: folder)
        }
    }

    /// A raw H.264 stream has no timestamps, no index and cannot seek: it is read
    /// forward, frames are timed by counting, and each image is still the frame it says.
    @Test(.needsFFmpeg) func rawStreamsAreReadForwardWithCountedTimes() throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-raw")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.h264"), seconds: 4, audio: false,
                                          codec: Self.bFrameCodec + ["-f", "h264"])
        let frameCount = try TestMedia.frameMD5(clip).count
        let result = try extract(clip, into: folder, KeyframeRequest(count: 3, strategy: .uniform, format: .png))
        #expect(result.keyframes.count == 3)
        for keyframe in result.keyframes {
            #expect(abs(keyframe.time - Double(keyframe.frame) / 25) < 1e-9)
            try FrameOracle.expectShowsFrame(URL(fileURLWithPath: keyframe.path), of: clip, number: keyframe.frame,
                                             frameCount: frameCount, in: folder)
        }
        let poster = try PosterFrame.write(clip.path, to: folder.appendingPathComponent("at.png").path, at: 2.5)
        #expect(poster.frame == 62)
    }

    /// A black stretch in the middle of the video is skipped, not pictured.
    @Test(.needsFFmpeg) func uniformMovesOffABlackSection() throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-black")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("black-middle.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                              "-f", "lavfi", "-i", "color=black:size=320x240:rate=25:duration=4",
                              "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                              "-filter_complex", "[0:v][1:v][2:v]concat=n=3:v=1:a=0", "-c:v", "libx264", "-preset", "veryfast",
                              "-pix_fmt", "yuv420p", clip.path])
        let result = try extract(clip, into: folder, KeyframeRequest(count: 3, strategy: .uniform, width: 160, format: .png))
        #expect(result.keyframes.count == 3)
        for keyframe in result.keyframes {
            #expect(keyframe.time < 3 || keyframe.time >= 7, "picked \(keyframe.time) s, inside the black section")
            let pixels = try ImageOracle.pixels(URL(fileURLWithPath: keyframe.path))
            let mean = Double(pixels.reduce(0) { $0 + Int($1) }) / Double(pixels.count)
            #expect(mean > 30, "image at \(keyframe.time) s is dark (mean \(mean))")
        }
    }

    /// `iframes` returns only frames ffprobe flags as keyframes, spread over them.
    @Test(.needsFFmpeg) func iframesReturnsOnlyKeyframes() throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-iframes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("gop.mp4"), seconds: 8, audio: false,
                                          codec: ["-c:v", "libx264", "-preset", "veryfast", "-g", "20", "-sc_threshold", "0", "-pix_fmt", "yuv420p"])
        let frames = try FrameOracle.frames(clip)
        let keyTimes = frames.filter(\.key).map(\.time)
        #expect(keyTimes.count == 10)
        let result = try extract(clip, into: folder, KeyframeRequest(count: 4, strategy: .iframes, format: .jpeg))
        #expect(result.keyframes.count == 4)
        for keyframe in result.keyframes {
            #expect(keyTimes.contains { abs($0 - keyframe.time) < 1e-6 }, "\(keyframe.time) s is not a keyframe")
            #expect(frames[keyframe.frame].key && abs(frames[keyframe.frame].time - keyframe.time) < 1e-6)
        }
        #expect(Set(result.keyframes.map(\.time)).count == 4)
        #expect(result.keyframes.first!.time < 2 && result.keyframes.last!.time > 6)
    }

    /// `scenes` gives one image per shot (the analysis engine's segments) of a clip with two hard cuts;
    /// a two-frame white flash is no cut.
    @Test(.needsFFmpeg) func scenesGivesOneImagePerShot() throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-scenes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = folder.appendingPathComponent("shots.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
                              "-f", "lavfi", "-i", "mandelbrot=size=320x240:rate=25,trim=duration=2",
                              "-f", "lavfi", "-i", "smptebars=size=320x240:rate=25:duration=2",
                              "-filter_complex",
                              "[0:v][1:v][2:v]concat=n=3:v=1:a=0,drawbox=color=white:t=fill:enable='between(n,70,71)'",
                              "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", clip.path])
        let result = try extract(clip, into: folder, KeyframeRequest(count: 10, strategy: .scenes, width: 160))
        #expect(result.keyframes.map { Int($0.time / 2) } == [0, 1, 2])
    }

    /// Rotated phone video comes out portrait; non-square pixels come out stretched.
    @Test(.needsFFmpeg, .needsCorpus) func corpusImagesAreUpright() throws {
        let rotated = try TestMedia.corpusFile("PySceneDetect/issue-134-rotate.mp4")
        let sideways = try TestMedia.corpusFile("streamio-ffmpeg/sideways_movie.mov")
        let anamorphic = try TestMedia.corpusFile("PySceneDetect/issue-195-aspect-ratio.mp4")
        let folder = try TestMedia.makeTemporaryDirectory("kf-corpus")
        defer { try? FileManager.default.removeItem(at: folder) }
        for video in [rotated, sideways] {
            let result = try KeyframeExtractor.extract(video.path, into: folder.appendingPathComponent(video.lastPathComponent).path,
                                                       request: KeyframeRequest(count: 2, width: 240))
            for keyframe in result.keyframes {
                let info = try ImageOracle.describe(URL(fileURLWithPath: keyframe.path))
                #expect(info.width == 240 && info.height > info.width, "\(video.lastPathComponent) gave \(info.width)x\(info.height)")
            }
        }
        // 704x576 with SAR 16:11 is shown 1024x576.
        let result = try KeyframeExtractor.extract(anamorphic.path, into: folder.appendingPathComponent("sar").path,
                                                   request: KeyframeRequest(count: 1, format: .png))
        let info = try ImageOracle.describe(URL(fileURLWithPath: try #require(result.keyframes.first).path))
        #expect(info.width == 1024 && info.height == 576)
        // The rotated image matches ffmpeg's own autorotated rendering of the same frame.
        let upright = try KeyframeExtractor.extract(rotated.path, into: folder.appendingPathComponent("up").path,
                                                    request: KeyframeRequest(count: 1, width: 136, format: .png))
        let keyframe = try #require(upright.keyframes.first)
        let reference = try FrameOracle.framePixels(rotated, number: keyframe.frame, size: (keyframe.width, keyframe.height), in: folder)
        #expect(ImageOracle.meanDifference(try ImageOracle.pixels(URL(fileURLWithPath: keyframe.path)), reference) < 6)
    }

    @Test(.needsFFmpeg) func badInputIsAnErrorAndLeavesNothing() throws {
        let folder = try TestMedia.makeTemporaryDirectory("kf-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("this is not a video".utf8).write(to: text)
        let clip = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 1, audio: false)
        let out = folder.appendingPathComponent("out").path
        func code(_ body: () throws -> Void) -> MediaError.Code? {
            do { try body() } catch let error as MediaError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { _ = try KeyframeExtractor.extract(folder.appendingPathComponent("missing.mp4").path, into: out, request: KeyframeRequest()) } == .notFound)
        #expect(code { _ = try KeyframeExtractor.extract(text.path, into: out, request: KeyframeRequest()) } == .notMedia)
        #expect(code { _ = try KeyframeExtractor.extract(clip.path, into: folder.appendingPathComponent("no/such/dir").path, request: KeyframeRequest()) } == .outputUnwritable)
        #expect(code { _ = try KeyframeExtractor.extract(clip.path, into: clip.path, request: KeyframeRequest()) } == .outputConflict)
        #expect(code { _ = try KeyframeExtractor.extract(clip.path, into: out, request: KeyframeRequest(count: 0)) } == .invalidArgument)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["clip.mp4", "notes.mp4"])
    }
}
