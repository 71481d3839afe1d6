import Foundation
import MediaTestSupport
import Testing
@testable import MediaOps

/// `probe` on generated media (exact expectations) and on bad input (SPEC section 6).
@Suite("Probe")
struct ProbeTests {
    @Test("reports what the file is, matching how it was made", .needsFFmpeg)
    func generatedClip() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.mp4"), seconds: 2, width: 320, height: 180, fps: 30)
        let result = try MediaProbe.probe(url.path, computeSHA256: true)
        let sha = try TestMedia.run("sha256sum", [url.path]).stdout.split(separator: " ").first.map(String.init)
        #expect(result.sha256 == sha)
        #expect(result.mediaType == "video")
        #expect(result.mimeType == "video/mp4")
        let video = try #require(result.video)
        #expect(video.codec == "h264")
        #expect(video.width == 320 && video.height == 180)
        // (ffmpeg 5.1's command line cannot write a display matrix when encoding: rotation is checked on the corpus.)
        #expect(video.rotation == 0)
        #expect(video.displayWidth == 320 && video.displayHeight == 180)
        #expect(video.fps == 30)
        #expect(video.frameRateMode == "cfr")
        #expect(video.frameCount == 60)
        #expect(video.pixelFormat == "yuv420p" && video.bitDepth == 8)
        #expect(!video.hasBFrames)  // ultrafast: no B-frames
        #expect(video.profile == "Constrained Baseline")
        let audio = try #require(result.audio)
        #expect(audio.codec == "aac" && audio.sampleRate == 48000 && audio.channels == 1)
        #expect(abs((result.durationSec ?? 0) - 2.0) < 0.05)
    }

    @Test("picture parameters read without decoding match a decoder's", .needsFFmpeg, arguments: [
        (["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"], "yuv420p", false, "Constrained Baseline"),
        (["-c:v", "libx264", "-preset", "fast", "-pix_fmt", "yuv444p"], "yuv444p", true, "High 4:4:4 Predictive"),
        (["-c:v", "libx264", "-preset", "fast", "-pix_fmt", "yuv420p10le"], "yuv420p10le", true, "High 10"),
        (["-c:v", "libx265", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-x265-params", "log-level=error:bframes=0"], "yuv420p", false, "Main"),
    ])
    func parsedParameters(codec: [String], pixelFormat: String, bFrames: Bool, profile: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for container in ["mp4", "mkv"] {
            let url = try TestMedia.makeClip(at: folder.appendingPathComponent("clip.\(container)"), seconds: 1, audio: false, codec: codec)
            let video = try #require(try MediaProbe.probe(url.path).video)
            #expect(video.pixelFormat == pixelFormat, "\(container)")
            #expect(video.hasBFrames == bFrames, "\(container)")
            #expect(video.profile == profile, "\(container)")
            #expect(video.bitDepth == (pixelFormat.contains("10") ? 10 : 8))
            #expect(video.fieldOrder == "progressive")
        }
    }

    @Test("variable frame rate is reported as vfr", .needsFFmpeg)
    func variableFrameRate() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("vfr.mp4")
        // Drop frames unevenly: the timestamps keep their gaps (-vsync vfr).
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=30:duration=2",
                              "-vf", "select='not(mod(n\\,3))+not(mod(n\\,7))'", "-vsync", "vfr", "-c:v", "libx264", "-preset", "ultrafast", url.path])
        let video = try #require(try MediaProbe.probe(url.path).video)
        #expect(video.frameRateMode == "vfr")
        #expect(video.frameCount == (try TestMedia.packetCount(url)))
    }

    @Test("an image, an audio file and cover art are classified as such", .needsFFmpeg)
    func mediaTypes() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = folder.appendingPathComponent("still.png")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", png.path])
        let image = try MediaProbe.probe(png.path)
        #expect(image.mediaType == "image" && image.mimeType == "image/png" && image.video?.width == 64)
        let jpg = folder.appendingPathComponent("still.jpg")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", jpg.path])
        #expect(try MediaProbe.probe(jpg.path).mimeType == "image/jpeg")
        let mp3 = folder.appendingPathComponent("tone.mp3")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", mp3.path])
        let audio = try MediaProbe.probe(mp3.path)
        #expect(audio.mediaType == "audio" && audio.mimeType == "audio/mpeg" && audio.video == nil)
    }

    @Test("an MP3 with cover art is audio, not video", .needsCorpus)
    func coverArtIsNotVideo() throws {
        let cover = try #require(TestMedia.corpusFileIfPresent("moviepy/with-attached-pic.mp3"))
        #expect(try MediaProbe.probe(cover.path).mediaType == "audio")
    }

    /// Random bytes that libav reads as media: at seed 35 as an LRC lyrics file (probe score 5 of 100,
    /// "misdetection possible"), at seed 1735 as a raw H.263 stream with no picture size. Both were
    /// accepted (`other`, and `video` 0x0); found by probing seeded 50 kB files.
    @Test("random bytes libav only guesses at are not media", .needsFFmpeg, arguments: [UInt64(35), 1735])
    func randomBytesLibavMisreads(seed: UInt64) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SeededGenerator(seed: seed)
        let file = folder.appendingPathComponent("random-\(seed).bin")
        try Data((0..<50_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }).write(to: file)
        #expect(performing: { _ = try MediaProbe.probe(file.path) }, throws: { error in
            guard let error = error as? MediaError else { return false }
            return error.code == .notMedia && error.path == file.path && !error.message.contains("\n")
        })
    }

    /// Bad inputs the tests make themselves, with the reason each must give.
    @Test("bad input gives a clear reason, never a crash", .needsFFmpeg)
    func badInput() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 2)
        let bytes = try Data(contentsOf: good)

        let empty = folder.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        let text = folder.appendingPathComponent("text.mp4")
        try Data("hello, this is not a video\n".utf8).write(to: text)
        // Seeded: about one 50 kB file of random bytes in a hundred is valid media to libav.
        let random = folder.appendingPathComponent("random.bin")
        var generator = SeededGenerator(seed: 15)
        try Data((0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: random)
        let truncated = folder.appendingPathComponent("truncated.mp4")
        // faststart-free MP4 from ffmpeg puts moov at the end: cutting it removes the index.
        try bytes.prefix(bytes.count / 2).write(to: truncated)

        let cases: [(String, MediaError.Code)] = [
            ("/nonexistent/clip.mp4", .notFound),
            (folder.path, .notAFile),
            (empty.path, .empty),
            (text.path, .notMedia),
            (random.path, .notMedia),
            (truncated.path, .notMedia),
        ]
        for (path, code) in cases {
            #expect(performing: { _ = try MediaProbe.probe(path) }, throws: { error in
                guard let error = error as? MediaError else { return false }
                return error.code == code && error.path == path && !error.message.contains("\n")
            })
        }
    }

    @Test("a file whose moov is at the front but whose data is cut off is reported truncated", .needsFFmpeg)
    func truncatedData() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 3, extra: ["-movflags", "+faststart"])
        let bytes = try Data(contentsOf: good)
        let cut = folder.appendingPathComponent("cut.mp4")
        try bytes.prefix(bytes.count * 2 / 3).write(to: cut)
        #expect(performing: { _ = try MediaProbe.probe(cut.path) }, throws: { ($0 as? MediaError)?.code == .truncated })
    }

    @Test("bit-flipped media still probes or fails cleanly", .needsFFmpeg, arguments: [0.001, 0.01])
    func bitFlipped(rate: Double) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mkv"), seconds: 2)
        var bytes = [UInt8](try Data(contentsOf: good))
        var generator = SeededGenerator(seed: UInt64(rate * 1_000_000))
        for index in bytes.indices.dropFirst(4096) where Double.random(in: 0..<1, using: &generator) < rate {
            bytes[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
        }
        let flipped = folder.appendingPathComponent("flipped.mkv")
        try Data(bytes).write(to: flipped)
        do {
            let result = try MediaProbe.probe(flipped.path)
            #expect(result.path == flipped.path)
        } catch {
            #expect(!error.message.isEmpty)
        }
    }

    @Test("the corpus's broken files are refused with a reason", .needsCorpus)
    func corpusBrokenFiles() throws {
        let expectations: [(String, MediaError.Code)] = [
            ("streamio-ffmpeg/broken.mp4", .notMedia),
            ("file-type/fixture-corrupt.mkv", .notMedia),
            ("file-type/fixture-isom.mp4", .notMedia),
            ("file-type/fixture2.mkv", .truncated),
            ("mediabunny/annex-b.mp4", .truncated),
            ("mp4ff/init_truncated.mp4", .notMedia),
        ]
        for (name, code) in expectations {
            let url = try TestMedia.corpusFile(name)
            #expect("\(name)", performing: { _ = try MediaProbe.probe(url.path) }, throws: { ($0 as? MediaError)?.code == code })
        }
    }

    @Test("a codec FFmpeg 5.1 cannot decode is still described", .needsCorpus)
    func undecodableCodec() throws {
        let url = try TestMedia.corpusFile("mp4ff/vvc_400kbps_2s.mp4")
        let result = try MediaProbe.probe(url.path)
        let video = try #require(result.video)
        #expect(video.codec == "vvc1")
        #expect(!video.decodable)
        #expect(video.width == 1280 && video.height == 720)
        #expect(result.warnings.contains { $0.contains("no decoder") })
    }

    @Test("rotation, aspect ratio and start offsets from the corpus ground truth", .needsCorpus)
    func corpusGroundTruth() throws {
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/issue-134-rotate.mp4"))
            let video = try #require(try MediaProbe.probe(url.path).video)
            #expect(video.rotation == 90 && video.displayWidth == 544 && video.displayHeight == 1280)
        }
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/issue-195-aspect-ratio.mp4"))
            let video = try #require(try MediaProbe.probe(url.path).video)
            #expect(video.sampleAspectRatio == "16:11" && video.displayWidth == 1024 && video.frameCount == 628)
        }
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("PySceneDetect/delayed_start.mp4"))
            let video = try #require(try MediaProbe.probe(url.path).video)
            #expect(abs((video.startTimeSec ?? 0) - 1.075) < 0.001)
        }
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("mediabunny/cursed-vfr.mp4"))
            let video = try #require(try MediaProbe.probe(url.path).video)
            #expect(video.frameRateMode == "vfr" && video.width == 3026)
        }
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("mediabunny/frag-buck-bunny.mp4"))
            let result = try MediaProbe.probe(url.path)
            #expect(result.video?.frameCount == 120 && result.audio?.channels == 6)
        }
        do {
            let url = try #require(TestMedia.corpusFileIfPresent("streamio-ffmpeg/awesome_movie.mov"))
            let result = try MediaProbe.probe(url.path)
            #expect(result.mimeType == "video/quicktime" && result.bitRate == 481846 && result.audio?.sampleRate == 44100)
        }
    }
}
