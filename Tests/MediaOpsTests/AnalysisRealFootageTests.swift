import Foundation
import MediaOps
import MediaTestSupport
import Testing

/// Shot boundaries on real camera and film footage spliced at known frames
/// (the small fixed case of `bench/shots.sh`): single shots of the shared
/// corpus joined by ffmpeg with hard cuts, a dissolve, a fade through black
/// with a black hold and a cut into black. Skipped when the corpus is absent.
@Suite(.serialized, .enabled(if: TestMedia.corpus != nil, "needs ../shared/corpus"))
struct AnalysisRealFootageTests {
    enum Join { case cut, dissolve(Int), fade(out: Int, hold: Int, in: Int), cutIntoBlack(hold: Int, in: Int), whiteFlash(Int) }
    /// A piece: corpus file, first second, frames (at 25 fps), and how it joins the previous one.
    struct Piece { var file: String; var start: Double; var frames: Int; var join: Join }
    /// What the splice must give: a cut at `frame`, or a gradual transition inside `[first, end)`.
    struct Truth { var kind: TransitionKind; var frame: Int; var first: Int; var end: Int }

    static let pieces = [
        Piece(file: "PySceneDetect/issue-195-aspect-ratio.mp4", start: 3.0, frames: 60, join: .cut),
        Piece(file: "moviepy/chaplin.mp4", start: 2.0, frames: 60, join: .cut),
        Piece(file: "mp4parser/foreman-hevc-384.mp4", start: 1.0, frames: 70, join: .dissolve(12)),
        Piece(file: "moviepy/big_buck_bunny_0_30.webm", start: 16.0, frames: 60, join: .fade(out: 10, hold: 8, in: 10)),
        Piece(file: "PySceneDetect/issue-134-rotate.mp4", start: 4.0, frames: 60, join: .cutIntoBlack(hold: 20, in: 10)),
        // Two shots of the same film, of similar palette.
        Piece(file: "PySceneDetect/issue-195-aspect-ratio.mp4", start: 13.0, frames: 60, join: .cut),
    ]

    /// Splices `pieces` into `output` (640x360, 25 fps, H.264) with the ffmpeg command line; returns the truth.
    static func splice(_ pieces: [Piece] = pieces, into output: URL, corpus: URL) throws -> (frames: Int, truth: [Truth]) {
        var inputs: [String] = [], graph: [String] = [], truth: [Truth] = []
        for (k, piece) in pieces.enumerated() {
            inputs += ["-ss", String(format: "%.3f", piece.start), "-t", String(format: "%.3f", Double(piece.frames + 6) / 25),
                       "-i", corpus.appendingPathComponent(piece.file).path]
            var chain = "[\(k):v]fps=25,tpad=stop=10:stop_mode=clone,scale=640:360:force_original_aspect_ratio=increase,crop=640:360,setsar=1,format=yuv420p,"
                + "trim=end_frame=\(piece.frames),settb=1/25,setpts=N"
            switch piece.join {
            case .fade(_, _, let fadeIn), .cutIntoBlack(_, let fadeIn): chain += ",fade=t=in:start_frame=0:nb_frames=\(fadeIn)"
            default: break
            }
            graph.append(chain + "[p\(k)]")
        }
        var total = pieces[0].frames, current = "[p0]"
        for k in 1..<pieces.count {
            let piece = pieces[k], out = "[c\(k)]"
            func card(_ colour: String, _ frames: Int) -> String {
                graph.append("color=\(colour):s=640x360:r=25,format=yuv420p,trim=end_frame=\(frames),settb=1/25,setpts=N[b\(k)]")
                return "[b\(k)]"
            }
            func black(_ frames: Int) -> String { card("black", frames) }
            switch piece.join {
            case .cut:
                graph.append("\(current)[p\(k)]concat=n=2:v=1:a=0,settb=1/25,setpts=N\(out)")
                truth.append(Truth(kind: .cut, frame: total, first: total, end: total))
                total += piece.frames
            case .dissolve(let d):
                graph.append("\(current)fps=25[x\(k)];[p\(k)]fps=25[y\(k)];[x\(k)][y\(k)]xfade=transition=fade:duration=\(Double(d) / 25)"
                             + ":offset=\(Double(total - d) / 25),settb=1/25,setpts=N\(out)")
                truth.append(Truth(kind: .dissolve, frame: total - d / 2, first: total - d, end: total))
                total += piece.frames - d
            case .fade(let fadeOut, let hold, let fadeIn):
                graph.append("\(current)fade=t=out:start_frame=\(total - fadeOut):nb_frames=\(fadeOut)[o\(k)]")
                graph.append("[o\(k)]\(black(hold))[p\(k)]concat=n=3:v=1:a=0,settb=1/25,setpts=N\(out)")
                truth.append(Truth(kind: .fade, frame: total + hold / 2, first: total - fadeOut, end: total + hold + fadeIn))
                total += hold + piece.frames
            case .cutIntoBlack(let hold, _):
                graph.append("\(current)\(black(hold))[p\(k)]concat=n=3:v=1:a=0,settb=1/25,setpts=N\(out)")
                truth.append(Truth(kind: .cut, frame: total, first: total, end: total))
                total += hold + piece.frames
            case .whiteFlash(let frames):
                graph.append("\(current)\(card("white", frames))[p\(k)]concat=n=3:v=1:a=0,settb=1/25,setpts=N\(out)")
                truth.append(Truth(kind: .cut, frame: total, first: total, end: total))
                total += frames + piece.frames
            }
            current = out
        }
        try TestMedia.ffmpeg(inputs + ["-filter_complex", graph.joined(separator: ";"), "-map", current, "-an",
                                       "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-r", "25", output.path])
        return (total, truth)
    }

    @Test("every hard cut at its exact frame, one boundary per dissolve and fade, transition frames")
    func splicedRealFootage() throws {
        let corpus = try #require(TestMedia.corpus)
        let folder = try TestMedia.makeTemporaryDirectory("shots")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("spliced.mp4")
        let (frames, truth) = try Self.splice(into: file, corpus: corpus)
        let analysis = try VideoAnalyzer.analyze(path: file.path)
        #expect(analysis.frameCount == frames)
        let found = Array(analysis.segments.dropFirst())
        #expect(found.count == truth.count, "boundaries \(found.map { ($0.startFrame, $0.transitionIn) }), truth \(truth.map { ($0.frame, $0.kind) })")
        for (segment, expected) in zip(found, truth) {
            #expect(segment.transitionIn == expected.kind, "at \(expected.frame)")
            let span = try #require(segment.transitionFrames)
            #expect(span.count == 2)
            if expected.kind == .cut {
                #expect(segment.startFrame == expected.frame)
                #expect(span == [segment.startFrame, segment.startFrame])
            } else {
                #expect(segment.startFrame >= expected.first && segment.startFrame < expected.end, "\(segment.startFrame) outside \(expected.first)..<\(expected.end)")
                // The span found lies on the transition and holds the boundary.
                #expect(span[0] < span[1] && span[0] <= segment.startFrame && segment.startFrame < span[1])
                #expect(span[0] >= expected.first - 2 && span[1] <= expected.end + 2, "span \(span), truth \(expected.first)..<\(expected.end)")
            }
        }
        #expect(analysis.segments.first?.transitionFrames == nil)
    }

    /// Pairs of still shots whose dissolve the motion estimator read as a camera move (each picture of the blend is
    /// one picture to it): a pan of 3 % a frame, steady through the twelve frames, in the first. Missed before
    /// `segments` let frames that fit the blend of the ends almost exactly be a dissolve whatever the motion measured
    /// (seeds 21 and 34 of `bench/shots.sh`).
    @Test("a dissolve the motion estimator reads as a camera move is still a dissolve", arguments: [
        ("moviepy/big_buck_bunny_0_30.webm", 4.016, "streamio-ffmpeg/awesome_movie.mov", 0.552, 12),
        ("streamio-ffmpeg/awesome_movie.mov", 0.368, "PySceneDetect/issue-134-rotate.mp4", 4.404, 9),
    ])
    func dissolveReadAsMotion(from: String, fromStart: Double, into: String, intoStart: Double, frames: Int) throws {
        try expectOneDissolve(from: from, fromStart: fromStart, into: into, intoStart: intoStart, frames: frames)
    }

    /// A film's shot dissolving into hands typing in front of the lens: over the whole picture the frames fit
    /// the blend of the ends no better than a camera move (the hands move through it), but most of what changes
    /// blends. Missed before `segments` judged strong changes by that (seed 233 of `bench/shots.sh`).
    @Test("a dissolve into a shot where something moves is a dissolve")
    func dissolveIntoMovingHands() throws {
        try expectOneDissolve(from: "PySceneDetect/issue-195-aspect-ratio.mp4", fromStart: 21.182,
                              into: "ffmpeg-concat/1.mp4", intoStart: 0.031, frames: 13)
    }

    /// A file of the shots benchmark, made here by `bench/shots/splice.py` as the benchmark makes it (seed 4181,
    /// file 4: 20 pieces, 19 transitions), scored as the benchmark scores it: every cut at its frame, every
    /// gradual transition with a boundary inside its frames, no other boundary. Its dissolve over [988, 1002),
    /// into foreman turning to the right, was put at frame 1003: the stretch that fitted best ran on to frame
    /// 1017, the panning frames there stayed far from its end, and the middle of the frames it spanned fell past
    /// the blend. A dissolve's boundary is now the first frame holding more of the new shot than of the old.
    @Test("a benchmark file whose dissolve runs into a pan: every transition, the dissolve's boundary inside it")
    func benchmarkFileWithADissolveIntoAPan() throws {
        let corpus = try #require(TestMedia.corpus)
        let folder = try TestMedia.makeTemporaryDirectory("seed-4181")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scripts = TestMedia.packageRoot.appendingPathComponent("bench/shots").path
        _ = try TestMedia.run("python3", ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import splice; splice.make(sys.argv[2], sys.argv[3], 4181, 4, 20)",
                                          scripts, corpus.path, folder.path])
        let file = folder.appendingPathComponent("spliced-4181-4.mp4")
        struct Truth: Decodable { var kind: String; var frame: Int?; var first: Int?; var end: Int? }
        struct TruthFile: Decodable { var transitions: [Truth] }
        let truth = try JSONDecoder().decode(TruthFile.self, from: Data(contentsOf: URL(fileURLWithPath: file.path + ".truth.json"))).transitions
        try #require(truth.count == 19)
        var left = try VideoAnalyzer.analyze(path: file.path).segments.dropFirst().map(\.startFrame)
        var missed: [String] = []
        for transition in truth {
            let match: Int? = if let frame = transition.frame, transition.kind.hasSuffix("cut") {
                left.firstIndex(of: frame)
            } else if let first = transition.first, let end = transition.end {
                left.firstIndex { $0 >= first && $0 < end }
            } else { nil }
            if let match { left.remove(at: match) } else { missed.append("\(transition)") }
        }
        #expect(missed.isEmpty)
        #expect(left.isEmpty, "boundaries that match no transition")
    }

    /// Foreman's camera turning fast to the building site, dissolving into ffmpeg-concat's street, where a skater
    /// rides by: no frame is a mix of the ends as they are (both shots move through the stretch), and nothing was
    /// found (seed 34 of `bench/shots.sh`). Each frame has the variance of the mix at its share.
    @Test("a dissolve between two shots that go on moving is a dissolve")
    func dissolveBetweenMovingShots() throws {
        try expectOneDissolve(from: "mp4parser/foreman-hevc-384.mp4", fromStart: 6.948,
                              into: "ffmpeg-concat/2.mp4", intoStart: 1.359, frames: 13)
    }

    /// Two pieces of 50 frames, the second joined to the first by `join`, spliced and analysed.
    private func spliceTwo(from: String, fromStart: Double, into: String, intoStart: Double,
                           join: Join) throws -> (analysis: VideoAnalysis, frames: Int, truth: [Truth]) {
        let corpus = try #require(TestMedia.corpus)
        let folder = try TestMedia.makeTemporaryDirectory("two")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("two.mp4")
        let (count, truth) = try Self.splice([Piece(file: from, start: fromStart, frames: 50, join: .cut),
                                              Piece(file: into, start: intoStart, frames: 50, join: join)],
                                             into: file, corpus: corpus)
        return (try VideoAnalyzer.analyze(path: file.path), count, truth)
    }

    /// Two pieces of 50 frames joined by a dissolve of `frames`: one boundary, a dissolve, inside the blend.
    private func expectOneDissolve(from: String, fromStart: Double, into: String, intoStart: Double, frames: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (analysis, count, truth) = try spliceTwo(from: from, fromStart: fromStart, into: into, intoStart: intoStart, join: .dissolve(frames))
        #expect(analysis.frameCount == count, sourceLocation: sourceLocation)
        let expected = try #require(truth.first, sourceLocation: sourceLocation)
        let found = Array(analysis.segments.dropFirst())
        #expect(found.map(\.transitionIn) == [.dissolve], "\(found.map { ($0.startFrame, $0.transitionIn) })", sourceLocation: sourceLocation)
        let boundary = try #require(found.first, sourceLocation: sourceLocation)
        #expect(boundary.startFrame >= expected.first && boundary.startFrame < expected.end,
                "\(boundary.startFrame) outside \(expected.first)..<\(expected.end)", sourceLocation: sourceLocation)
    }

    /// An editor's flash cut: one or two white frames between two shots. One cut, at the flash. Both were missed:
    /// between two still shots each jump of the flash was the other's whole neighbourhood (the still frames
    /// left out as repeated ones are), and the second pair, 50 levels apart, passed for one shot flashing (the
    /// picture "came back" within 0.3 of the flash's 190-level jump).
    @Test("a white flash cut in between two shots is one cut, at the flash", arguments: [
        ("PySceneDetect/issue-134-rotate.mp4", 4.0, "moviepy/big_buck_bunny_0_30.webm", 16.5, 2),
        ("PySceneDetect/issue-195-aspect-ratio.mp4", 7.0, "moviepy/big_buck_bunny_0_30.webm", 24.0, 2),
        ("PySceneDetect/issue-195-aspect-ratio.mp4", 7.0, "moviepy/big_buck_bunny_0_30.webm", 24.0, 1),
    ])
    func whiteFlashCut(from: String, fromStart: Double, into: String, intoStart: Double, frames: Int) throws {
        let (analysis, count, truth) = try spliceTwo(from: from, fromStart: fromStart, into: into, intoStart: intoStart, join: .whiteFlash(frames))
        #expect(analysis.frameCount == count)
        let found = Array(analysis.segments.dropFirst())
        #expect(found.map(\.startFrame) == truth.map(\.frame), "\(found.map { ($0.startFrame, $0.transitionIn) })")
        #expect(found.allSatisfy { $0.transitionIn == .cut })
    }

    @Test("corpus shots as they are: every cut, and no boundary in a slow brightening zoom", arguments: [
        ("moviepy/big_buck_bunny_0_30.webm", [283, 376, 551]),  // 594-626: light and a slow zoom, 20 levels over 32 frames
        ("PySceneDetect/issue-195-aspect-ratio.mp4", [70, 170, 301, 421, 484]),
        // A sheet of paper raised before the lens and later pulled down out of view: it covers most of the picture
        // as a wipe would, and leaving it fits a push over the dark room (but a reveal better).
        ("streamio-ffmpeg/awesome_movie.mov", []),
        // Hands typing in front of the lens: most of what changes over ten frames is the hands (a weak change,
        // where the whole picture must blend for a dissolve).
        ("ffmpeg-concat/0.mp4", []),
        // Discs turning through a one-second clip: a slow drift of twenty frames, with no frames around it to show
        // it goes on (the same picture in seven of the corpus's containers).
        ("mediabunny/mp4_mpeg4-aac.mp4", []),
        // The same view under other light: a webcam's exposure settling over eighteen frames (correlation of the ends
        // 0.98; Big Buck Bunny's title card brightening is in `titleFadesThroughFlatColour`). It was a dissolve.
        ("streamio-ffmpeg/file_with_data_streams.mp4", []),
        // An aeroplane flying away into a grey sky: the frames come steadily nearer a flat picture, but are no blend
        // of the shot with it, so no fade.
        ("moviepy/video_with_failing_audio.mp4", []),
        // Colour bars scrolling behind a test card's captions, clocks and timecode: a fifth to two fifths of the
        // picture changes, and at the analysis's scale it fits a blend. A dissolve about every second.
        ("moviepy/doc_medias_long_examples_example.mp4", []),
        // Red, green, blue, black and white, a frame a second: a cut at every change but the last (a run of black
        // makes one boundary, here the cut into it). Only a fade at the white was found before.
        ("moviepy/-video-with-dash-.mp4", [1, 2, 3]),
    ])
    func corpusShots(file: String, cuts: [Int]) throws {
        let analysis = try VideoAnalyzer.analyze(path: try TestMedia.corpusFile(file).path)
        let found = analysis.segments.dropFirst()
        #expect(found.map(\.startFrame) == cuts, "\(found.map { ($0.startFrame, $0.transitionIn) })")
        #expect(found.allSatisfy { $0.transitionIn == .cut })
    }

    /// ffmpeg-concat's own example: nine shots of three clips (hands typing, a cat, a street) joined by its
    /// WebGL transitions. Four of them sweep one shot over the other while the street's skater and the cat move
    /// (from frame 150, 375, 523 and a cube turning from 596; none was found before): each one `wipe` inside
    /// it, the cube too (its two ends were found apart). One lays a grid of squares over the street as it blends
    /// into the keyboard (frames 456 to 478): a `dissolve`, found since dissolves between moving shots are told
    /// by the variance of their frames. The three others warp and blend the pictures at once and are not found
    /// yet; nothing is found elsewhere.
    @Test("the sweeps of ffmpeg-concat's example are one wipe each, its grid of squares a dissolve")
    func concatExampleSweeps() throws {
        let analysis = try VideoAnalyzer.analyze(path: try TestMedia.corpusFile("ffmpeg-concat/example.mp4").path)
        let found = Array(analysis.segments.dropFirst())
        let transitions: [(frames: Range<Int>, kind: TransitionKind)] = [
            (150..<176, .wipe), (375..<401, .wipe), (456..<478, .dissolve), (523..<551, .wipe), (596..<630, .wipe),
        ]
        #expect(found.count == transitions.count, "\(found.map { ($0.startFrame, $0.transitionIn) })")
        for (boundary, transition) in zip(found, transitions) {
            #expect(boundary.transitionIn == transition.kind && transition.frames.contains(boundary.startFrame),
                    "\(boundary.startFrame) (\(boundary.transitionIn)) outside \(transition.frames)")
        }
    }

    /// Big Buck Bunny's title on a light background that brightens (a lighting change: 0.999 correlation between
    /// the ends; it was a dissolve at frame 227), then fades into a flat lavender picture, which fades into the first
    /// shot (it was no boundary): one fade, through the flat picture.
    @Test("a title fading through a flat colour into the first shot is one fade")
    func titleFadesThroughFlatColour() throws {
        let analysis = try VideoAnalyzer.analyze(path: try TestMedia.corpusFile("mediabunny/missing-keyframe-labels.ts").path)
        let found = Array(analysis.segments.dropFirst())
        #expect(found.map(\.transitionIn) == [.fade], "\(found.map { ($0.startFrame, $0.transitionIn) })")
        // The flat picture is frames 252 to 268 (60 fps), the title fading out from about 225, the shot in to about 290.
        let fade = try #require(found.first)
        #expect(fade.startFrame >= 252 && fade.startFrame < 268, "\(fade.startFrame)")
        let span = try #require(fade.transitionFrames)
        #expect(span.count == 2 && span[0] >= 215 && span[0] < 252 && span[1] > 268 && span[1] <= 300, "\(span)")
    }

    @Test("webcam footage at 25 fps is one shot: repeated frames, a paper moved in front of the lens, exposure ramping")
    func webcamFootageIsOneShot() throws {
        let corpus = try #require(TestMedia.corpus)
        let folder = try TestMedia.makeTemporaryDirectory("webcam")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Every other frame repeats (the source runs at about 16 fps), so half the changes
        // around any frame are zero and a weak change stands out against a low median.
        let file = folder.appendingPathComponent("webcam25.mp4")
        try TestMedia.ffmpeg(["-i", corpus.appendingPathComponent("streamio-ffmpeg/awesome_movie.mov").path, "-t", "3.4", "-an",
                              "-vf", "fps=25,scale=640:360:force_original_aspect_ratio=increase,crop=640:360,setsar=1,format=yuv420p",
                              "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", file.path])
        let analysis = try VideoAnalyzer.analyze(path: file.path)
        #expect(analysis.frameCount == 85)
        #expect(analysis.segments.count == 1, "\(analysis.segments.dropFirst().map { ($0.startFrame, $0.transitionIn) })")
    }
}
