import Foundation
import Testing
import MediaOps
import MediaTestSupport

/// SPEC section 6 for `clip` and `concat`: one clear error naming the input and
/// the reason, and nothing partial left behind.
@Suite(.serialized) struct ClipBadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var start: Double
        var end: Double
        var code: MediaError.Code
        var testDescription: String { name }
    }

    static let ranges: [Case] = [
        Case(name: "start equals end", start: 1, end: 1, code: .invalidRange),
        Case(name: "start after end", start: 1.5, end: 0.5, code: .invalidRange),
        Case(name: "start after the media", start: 5, end: 6, code: .invalidRange),
        Case(name: "end after the media", start: 0.5, end: 9, code: .invalidRange),
    ]

    @Test(.needsFFmpeg, arguments: ranges, ClipMode.allCases)
    func badRangesAreRefused(_ bad: Case, mode: ClipMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 2, audio: false)
        let output = folder.appendingPathComponent("out.mp4")
        let error = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: bad.start, end: bad.end, mode: mode))
        }
        #expect(error?.code == bad.code)
        #expect(error?.path == source.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["src.mp4"])
    }

    @Test(.needsFFmpeg) func outputEqualToTheInputIsRefused() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 2, audio: false)
        let before = try Data(contentsOf: source)
        let error = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: source.path, output: folder.appendingPathComponent("./src.mp4").path, start: 0, end: 1))
        }
        #expect(error?.code == .outputConflict)
        let concatError = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [source.path, source.path], output: source.path))
        }
        #expect(concatError?.code == .outputConflict)
        #expect(try Data(contentsOf: source) == before)
    }

    /// A recording whose clock went back a frame after its first second (the Matroska writer repeats the last time
    /// instead): MP4's muxer refuses the repeated decoding times, and a copy failed with libav's
    /// bare "av_interleaved_write_frame: Invalid argument". It says what is wrong and what works.
    @Test(.needsFFmpeg) func decodingTimesThatStandStillAreNamedWhenCopying() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try TestMedia.makeClip(at: folder.appendingPathComponent("plain.mp4"), seconds: 3, width: 160, height: 120)
        let stalled = folder.appendingPathComponent("stalled.mkv")
        try TestMedia.retimedCopy(of: plain, to: stalled, videoTimes: "if(gte(N,25),TS-0.04/TB,TS)", live: true)
        let output = folder.appendingPathComponent("clip.mp4")
        let error = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: stalled.path, output: output.path, start: 0.5, end: 1.5))
        }
        #expect(error?.path == stalled.path)
        #expect(error?.message == "its decoding times stand still at video packet 26, which a copy keeps; use --mode exact", "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let exact = try Clipper.clip(ClipRequest(input: stalled.path, output: output.path, start: 0.5, end: 1.5, mode: .exact,
                                                 quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(exact.warnings.contains { $0.contains("damaged pictures left out") })
    }

    /// Containers that hold none of what a re-encode writes (WAV: sound alone; Ogg: libav cannot say
    /// beforehand, its header is refused): the error names the output, not the input (an exact clip's
    /// said the input, with libav's bare "avformat_write_header: Invalid argument"), nothing left behind.
    @Test(.needsFFmpeg, arguments: ["wav", "ogv"])
    func anOutputThatCannotHoldTheReencodeIsNamed(_ ext: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 2, width: 160, height: 120)
        let output = folder.appendingPathComponent("out.\(ext)")
        let reason = ext == "wav" ? "a re-encoded wav output can hold neither h264 nor vp9 video with its sound; write .mp4, .mov, .mkv or .webm"
            : "a re-encoded ogv output refuses its video or sound (avformat_write_header: Invalid argument); write .mp4, .mov, .mkv or .webm"
        let clipError = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.3, end: 1.3, mode: .exact))
        }
        #expect(clipError?.path == output.path && clipError?.message == reason, "\(String(describing: clipError))")
        let joinError = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [source.path, source.path], output: output.path, mode: .reencode))
        }
        #expect(joinError?.path == output.path && joinError?.message == reason, "\(String(describing: joinError))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["src.mp4"])
    }

    @Test(.needsFFmpeg) func missingOrUnwritableOutputFoldersAreRefused() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent("locked").path)
            try? FileManager.default.removeItem(at: folder)
        }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 2, audio: false)
        let missing = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: source.path, output: folder.appendingPathComponent("nowhere/out.mp4").path, start: 0, end: 1))
        }
        #expect(missing?.code == .outputUnwritable)
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked.path)
        if getuid() != 0 {  // root writes anywhere
            let unwritable = #expect(throws: MediaError.self) {
                try Concatenator.concat(ConcatRequest(inputs: [source.path], output: locked.appendingPathComponent("out.mp4").path))
            }
            #expect(unwritable?.code == .outputUnwritable)
        }
    }

    /// A block repeated in `moviepy/fire2.mp4` (`scripts/mutate.py`, seed 3002) makes one AAC frame of its mono
    /// sound decode as 24 channels. Planar sound keeps channels past the eighth in `extended_data` only, and the
    /// resampler was handed `data`: every re-encoding command crashed in libswresample. Further on, the damaged
    /// stream makes the AAC decoder fail with a code libav has no text for (-50531338), which failed the
    /// command; the ffmpeg command line skips it like any damaged packet, and so does the clip now, saying so.
    @Test(.needsFFmpeg, .needsCorpus, arguments: [ClipMode.exact, .smart])
    func soundDamagedIntoMoreThanEightChannelsIsClippedPastTheDamage(_ mode: ClipMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.repeated(at: 1_034_035, length: 28_160).copy(of: "moviepy/fire2.mp4", in: folder)
        let channels = try TestMedia.run("ffprobe", ["-v", "quiet", "-select_streams", "a", "-show_entries", "frame=channels",
                                                     "-of", "csv=p=0", damaged.path]).stdout.split(separator: "\n")
        #expect(channels.contains("24"), "the damage this test is about: a frame of 24 channels")
        let output = folder.appendingPathComponent("clip.mp4")
        let request = ClipRequest(input: damaged.path, output: output.path, start: 0.5, end: 1.5, mode: mode,
                                  quality: EncodingQuality(crf: 30, preset: "ultrafast"))
        let result = try Clipper.clip(request)
        #expect(try EditingOracle.decodeErrors(output) == "")
        #expect(try EditingOracle.streamDuration(output, kind: "a") ?? 0 > 0.4, "the sound is kept")
        #expect(result.warnings.contains { $0.hasPrefix("damaged data:") }, "\(result.warnings)")
    }

    /// A smart clip re-encodes its head (from the keyframe before the start to the first keyframe inside
    /// the range) and copies the rest: a damaged packet in the head is skipped, and the clip says so like
    /// an exact clip does.
    @Test(.needsFFmpeg) func aSmartClipSaysWhatDamageItsHeadSkipped() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clean = try TestMedia.makeClip(at: folder.appendingPathComponent("clean.mp4"), seconds: 4, audio: false,
                                           codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-bf", "0",
                                                   "-g", "25", "-keyint_min", "25", "-sc_threshold", "0"])
        // The packet shown at 1.2 s, between the keyframe at 1 s and the range's start at 1.5 s: its first
        // NAL unit's length overwritten, so that the decoder rejects it.
        let packets = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,pos",
                                                    "-of", "csv=p=0", clean.path]).stdout.split(separator: "\n")
        let position = try #require(packets.compactMap { line -> Int? in
            let fields = line.split(separator: ",")
            guard fields.count == 2, let time = Double(fields[0]), abs(time - 1.2) < 0.001 else { return nil }
            return Int(fields[1])
        }.first)
        var bytes = try Data(contentsOf: clean)
        bytes.replaceSubrange(position..<(position + 4), with: [0xFF, 0xFF, 0xFF, 0xFF])
        let damaged = folder.appendingPathComponent("damaged.mp4")
        try bytes.write(to: damaged)
        let output = folder.appendingPathComponent("clip.mp4")
        let result = try Clipper.clip(ClipRequest(input: damaged.path, output: output.path, start: 1.5, end: 3.5, mode: .smart,
                                                  quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.fallback == nil, "the smart cut was used")
        #expect(result.warnings.contains { $0.hasPrefix("damaged data: 1 damaged packet skipped") }, "\(result.warnings)")
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg) func badInputsAreNamed() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 1, audio: false)
        let text = folder.appendingPathComponent("notes.mp4")
        try Data("not a video at all".utf8).write(to: text)
        let audioOnly = folder.appendingPathComponent("tone.m4a")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", audioOnly.path])
        let cases: [(String, MediaError.Code)] = [
            (folder.appendingPathComponent("absent.mp4").path, .notFound),
            (text.path, .notMedia),
            (audioOnly.path, .noVideo),
            (folder.path, .notAFile),
        ]
        for (path, code) in cases {
            let clipError = #expect(throws: MediaError.self) {
                try Clipper.clip(ClipRequest(input: path, output: folder.appendingPathComponent("out.mp4").path, start: 0, end: 0.5))
            }
            #expect(clipError?.code == code && clipError?.path == path)
            let concatError = #expect(throws: MediaError.self) {
                try Concatenator.concat(ConcatRequest(inputs: [good.path, path], output: folder.appendingPathComponent("out.mp4").path))
            }
            #expect(concatError?.code == code && concatError?.path == path)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["good.mp4", "notes.mp4", "tone.m4a"])
    }
}
