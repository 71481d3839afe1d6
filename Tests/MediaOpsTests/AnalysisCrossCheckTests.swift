import Foundation
import MediaTestSupport
import Testing
@testable import MediaOps

/// The one-pass analysis on footage the tests make with known truth, and the corpus goldens.
@Suite("Video analysis against footage of known structure")
struct AnalysisCrossCheckTests {
    /// Runs ffmpeg with a filter graph producing `[v]`, encoding H.264 at 25 fps into `name`.
    static func render(_ folder: URL, _ name: String, inputs: [String], graph: String, extra: [String] = []) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try TestMedia.ffmpeg(inputs + ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "ultrafast",
                                       "-pix_fmt", "yuv420p", "-r", "25"] + extra + [url.path])
        return url
    }

    /// A large textured still to move a camera over.
    static func still(_ folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("still.png")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "mandelbrot=s=1600x1200:maxiter=120:start_scale=2.5:end_scale=2.5:outer=normalized_iteration_count",
                              "-frames:v", "1", url.path])
        return url
    }

    static func boundaries(_ analysis: VideoAnalysis) -> [Int] { analysis.segments.dropFirst().map(\.startFrame) }

    @Test("hard cuts are found at the exact frame", .needsFFmpeg)
    func hardCuts() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.render(folder, "cuts.mp4",
            inputs: ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=1.48",
                     "-f", "lavfi", "-i", "mandelbrot=s=320x240:r=25,trim=duration=2"],
            graph: "[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(Self.boundaries(analysis) == [50, 87])
        #expect(analysis.segments.dropFirst().allSatisfy { $0.transitionIn == .cut })
        #expect(analysis.frameCount == 137)
        #expect(analysis.segments[1].startTime == 2.0)
    }

    @Test("flashes of one to three bright frames are not cuts", .needsFFmpeg)
    func flashes() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.render(folder, "flashes.mp4", inputs: ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=5"],
            graph: "[0:v]drawbox=c=white@1:t=fill:enable='eq(n,30)+between(n,60,61)+between(n,90,92)',format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.segments.count == 1)
    }

    @Test("a fast pan is one shot, labelled by the way the camera turns", .needsFFmpeg, arguments: [
        ("x='t*500'", "y=300", CameraMotion.panRight),
        ("x='900-t*500'", "y=300", CameraMotion.panLeft),
        ("x=400", "y='t*250'", CameraMotion.tiltDown),
        ("x=400", "y='700-t*250'", CameraMotion.tiltUp),
        ("x=400", "y=300", CameraMotion.static),
    ])
    func cameraMoves(x: String, y: String, expected: CameraMotion) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let still = try Self.still(folder)
        let url = try Self.render(folder, "move.mp4", inputs: ["-loop", "1", "-framerate", "25", "-t", "2", "-i", still.path],
                                  graph: "[0:v]crop=480:360:\(x):\(y),format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.segments.count == 1, "a camera move is not a cut")
        #expect(analysis.segments.first?.cameraMotion == expected)
        if expected == .panRight || expected == .panLeft {
            // 500 px/s over a 480 px wide picture: about one picture width a second.
            #expect(abs((analysis.segments.first?.motionMagnitude ?? 0) - 500.0 / 480.0) < 0.25)
        }
    }

    @Test("zooms in and out", .needsFFmpeg, arguments: [("'1+0.01*on'", CameraMotion.zoomIn), ("'1.6-0.01*on'", CameraMotion.zoomOut)])
    func zooms(zoom: String, expected: CameraMotion) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let still = try Self.still(folder)
        let url = try Self.render(folder, "zoom.mp4", inputs: ["-i", still.path],
            graph: "[0:v]zoompan=z=\(zoom):x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=50:s=480x360:fps=25,format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.segments.count == 1)
        #expect(analysis.segments.first?.cameraMotion == expected)
    }

    @Test("a fade through black is one fade boundary in the middle of the black", .needsFFmpeg)
    func fadeThroughBlack() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.render(folder, "fade.mp4",
            inputs: ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2", "-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=2"],
            graph: "[0:v]fade=t=out:st=1.4:d=0.6[a];[1:v]fade=t=in:st=0:d=0.6[b];[a][b]concat=n=2:v=1:a=0,format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.segments.count == 2)
        let boundary = try #require(analysis.segments.last)
        #expect(boundary.transitionIn == .fade)
        // Black from the end of the fade out (frame 49) to the start of the fade in (frame 50).
        #expect(abs(boundary.startFrame - 50) <= 2)
    }

    @Test("a dissolve between two shots is found as a dissolve", .needsFFmpeg)
    func dissolve() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.render(folder, "dissolve.mp4",
            inputs: ["-f", "lavfi", "-i", "smptebars=s=320x240:r=25:d=3", "-f", "lavfi", "-i", "rgbtestsrc=s=320x240:r=25:d=3"],
            graph: "[0:v][1:v]xfade=transition=fade:duration=1:offset=2,format=yuv420p[v]")
        let analysis = try VideoAnalyzer.analyze(path: url.path)
        #expect(analysis.segments.count == 2)
        let boundary = try #require(analysis.segments.last)
        #expect(boundary.transitionIn == .dissolve)
        #expect(abs(boundary.startFrame - 62) <= 6)  // the blend runs over frames 50...75
    }

    @Test("brightness and dominant colours of flat pictures", .needsFFmpeg, arguments: [("0x808080", 0.5, "#808080"), ("0xff0000", 0.3, "#ff0000"), ("0x0000ff", 0.11, "#0000ff")])
    func flatColours(colour: String, brightness: Double, hex: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.render(folder, "flat.mp4", inputs: ["-f", "lavfi", "-i", "color=c=\(colour):s=160x120:r=25:d=1"],
                                  graph: "[0:v]format=yuv420p[v]")
        let segment = try #require(try VideoAnalyzer.analyze(path: url.path).segments.first)
        #expect(abs(segment.brightness - brightness) < 0.03)
        let top = try #require(segment.dominantColors.first)
        #expect(top.weight > 0.95)
        #expect(Self.colourDistance(top.hex, hex) < 12, "\(top.hex) vs \(hex)")
        #expect(segment.cameraMotion == .static)
    }

    static func colourDistance(_ a: String, _ b: String) -> Int {
        func parts(_ hex: String) -> [Int] {
            let digits = Array(hex.dropFirst())
            return stride(from: 0, to: 6, by: 2).map { Int(String(digits[$0..<$0 + 2]), radix: 16) ?? 0 }
        }
        return zip(parts(a), parts(b)).map { abs($0 - $1) }.max() ?? 255
    }

    @Test("perceptual hashes: an extension's first frame matches its source's last frame, other shots do not")
    func hashes() throws {
        let source = TestMedia.samples.appendingPathComponent("t2v_fractal_coast.mp4")
        let extension_ = TestMedia.samples.appendingPathComponent("extend_fractal_coast.mp4")
        let other = TestMedia.samples.appendingPathComponent("i2v_portrait_zoom.mp4")
        let last = try #require(UInt64(try VideoAnalyzer.analyze(path: source.path).segments.last!.endHash, radix: 16))
        let first = try #require(UInt64(try VideoAnalyzer.analyze(path: extension_.path).segments.first!.startHash, radix: 16))
        let unrelated = try #require(UInt64(try VideoAnalyzer.analyze(path: other.path).segments.first!.startHash, radix: 16))
        #expect(PerceptualHash.distance(last, first) <= 6)
        #expect(PerceptualHash.distance(last, unrelated) >= 20)
    }

    @Test("the samples' known structure: a cut at frame 60, a fade at 4 s, a pan and a zoom")
    func samples() throws {
        let transition = try VideoAnalyzer.analyze(path: TestMedia.samples.appendingPathComponent("transition_cut_fade.mp4").path)
        // The cut is exact; a fade's boundary is the middle of its black frames, here 120 or 121.
        #expect(transition.segments.map(\.startFrame).prefix(2) == [0, 60])
        #expect(transition.segments.count == 3 && abs(transition.segments[2].startFrame - 120) <= 1)
        #expect(transition.segments.map(\.transitionIn) == [.start, .cut, .fade])
        let pan = try VideoAnalyzer.analyze(path: TestMedia.samples.appendingPathComponent("t2v_fractal_coast.mp4").path)
        #expect(pan.segments.map(\.cameraMotion) == [.panRight])
        let zoom = try VideoAnalyzer.analyze(path: TestMedia.samples.appendingPathComponent("i2v_portrait_zoom.mp4").path)
        #expect(zoom.segments.map(\.cameraMotion) == [.zoomIn])
    }

    @Test("rotation turns the analysis upright: a stored pan shows as a tilt", .needsFFmpeg)
    func rotated() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let still = try Self.still(folder)
        let stored = try Self.render(folder, "stored.mp4", inputs: ["-loop", "1", "-framerate", "25", "-t", "2", "-i", still.path],
                                     graph: "[0:v]crop=480:360:x='t*400':y=300,format=yuv420p[v]")
        let rotated = folder.appendingPathComponent("rotated.mp4")
        // rotate=270 in ffmpeg 5.1's muxer is a display matrix of 90 degrees clockwise.
        try TestMedia.ffmpeg(["-i", stored.path, "-c", "copy", "-metadata:s:v:0", "rotate=270", rotated.path])
        #expect(try VideoAnalyzer.analyze(path: stored.path).segments.first?.cameraMotion == .panRight)
        // Turned 90 degrees clockwise, content moving left on the stored picture moves up on screen.
        #expect(try VideoAnalyzer.analyze(path: rotated.path).segments.first?.cameraMotion == .tiltDown)
    }

    @Test("corpus goldens: counter.mp4 and fades.mp4", .needsCorpus)
    func corpusGoldens() throws {
        do {
            let counter = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/counter.mp4"))
            let analysis = try VideoAnalyzer.analyze(path: counter.path)
            // PySceneDetect's adaptive detector finds the cut at 20; the colour also changes at 10
            // (frames 1-10 grey, 11-20 red, 21-30 green: counter_description.txt numbers from 1).
            #expect(Self.boundaries(analysis) == [10, 20])
            #expect(analysis.frameCount == 30)
        }
        do {
            let fades = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/fades.mp4"))
            let analysis = try VideoAnalyzer.analyze(path: fades.path)
            // PySceneDetect's threshold (fade) detector: boundaries at 84 and 167.
            #expect(Self.boundaries(analysis) == [84, 167])
            #expect(analysis.segments.dropFirst().allSatisfy { $0.transitionIn == .fade })
        }
        do {
            let delayed = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/delayed_start.mp4"))
            let analysis = try VideoAnalyzer.analyze(path: delayed.path)
            #expect(analysis.segments.first?.startTime == 0)  // times from the media's start (1.075 s)
            #expect(analysis.frameCount == 24)
        }
    }

    @Test("bad input is refused with a reason")
    func badInput() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("not a video".utf8).write(to: text)
        for (path, code) in [("/nonexistent.mp4", MediaError.Code.notFound), (text.path, .notMedia)] {
            #expect(performing: { _ = try VideoAnalyzer.analyze(path: path) }, throws: { ($0 as? MediaError)?.code == code })
        }
    }

    @Test("the corpus's unanalysable files are refused with the right reason", .needsCorpus,
          arguments: [("mp4ff/vvc_400kbps_2s.mp4", MediaError.Code.unsupportedCodec),
                      ("file-type/fixture2.mkv", .truncated), ("streamio-ffmpeg/napoleon.mp3", .noVideo)])
    func corpusBadInput(name: String, code: MediaError.Code) throws {
        let url = try #require(TestMedia.corpusFileIfPresent(name))
        #expect(performing: { _ = try VideoAnalyzer.analyze(path: url.path) }, throws: { ($0 as? MediaError)?.code == code })
    }

    @Test("segments command: JSON of SPEC section 4 and one thumbnail per segment")
    func command() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let thumbnails = folder.appendingPathComponent("thumbs")
        let run = try TestMedia.cli(["segments", "--json", "--thumbnails", thumbnails.path,
                                     TestMedia.samples.appendingPathComponent("transition_cut_fade.mp4").path])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let segments = try #require(document["segments"] as? [[String: Any]])
        #expect(segments.count == 3)
        for key in ["index", "segment_type", "start_frame", "end_frame", "start_time", "end_time", "transition_in", "brightness",
                    "dominant_colors", "camera_motion", "motion_magnitude", "start_hash", "end_hash", "thumbnail"] {
            #expect(segments[0][key] != nil, "\(key)")
        }
        // transition_frames [first, end) on every segment after the first.
        #expect(segments[0]["transition_frames"] == nil)
        for segment in segments.dropFirst() { #expect((segment["transition_frames"] as? [Int])?.count == 2) }
        let files = try FileManager.default.contentsOfDirectory(atPath: thumbnails.path).sorted()
        #expect(files == ["seg_000.jpg", "seg_001.jpg", "seg_002.jpg"])
        let missing = try TestMedia.cli(["segments", "/nonexistent.mp4"])
        #expect(missing.status == 1 && missing.stderr == "error: /nonexistent.mp4: no such file\n")
    }
}
