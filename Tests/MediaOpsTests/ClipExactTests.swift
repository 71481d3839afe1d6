import Foundation
import Testing
import MediaOps
import MediaTestSupport

/// `clip --mode exact`: exactly the requested frames, close to the source
/// (PSNR), sound trimmed to the same range, picture properties kept.
@Suite(.serialized) struct ClipExactTests {
    @Test(.needsFFmpeg, arguments: [ClipCopyTests.Source.bFrames, .variableRate, .offsetStart])
    func exactHasTheRequestedFramesCloseToTheSource(_ kind: ClipCopyTests.Source) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try ClipCopyTests.make(kind, in: folder)
        let output = folder.appendingPathComponent("exact.mp4")
        let (start, end) = (1.3, 3.1)
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: start, end: end, mode: .exact,
                                                  quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        let sourceFrames = try EditingOracle.frames(source)
        let firstIndex = try #require(sourceFrames.firstIndex { $0.time >= start - 1e-6 })
        let expectedCount = sourceFrames.filter { $0.time >= start - 1e-6 && $0.time < end - 1e-6 }.count
        let presented = try EditingOracle.frames(output)
        #expect(presented.count == expectedCount)
        #expect(result.actual.frames == expectedCount)
        #expect(result.mode == .exact)
        // Frame timing is kept: the output's frame times are the source's, shifted to 0.
        let expectedTimes = sourceFrames[firstIndex..<(firstIndex + expectedCount)].map { $0.time - sourceFrames[firstIndex].time }
        #expect(zip(presented.map(\.time), expectedTimes).allSatisfy { abs($0 - $1) < 1e-3 })
        #expect(try EditingOracle.psnr(output, against: source, firstFrame: firstIndex, count: expectedCount) >= 35)
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    /// A WebM holds neither H.264 nor AAC: re-encoded clips and joins into one are VP9 and Opus (they failed
    /// writing the header, with libav's "Invalid argument"). The frames are the range's, the sound lasts as long
    /// as the pictures to the sample (Opus's pre-skip is the container's to hide).
    @Test(.needsFFmpeg) func reencodedWebMIsVP9AndOpus() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("av.mp4"))
        let output = folder.appendingPathComponent("clip.webm")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.52, end: 2.0, mode: .smart,
                                                  quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.mode == .exact && result.actual.frames == 37)
        let streams = try TestMedia.ffprobeJSON(["-show_entries", "stream=codec_name", output.path])["streams"] as? [[String: Any]]
        #expect(streams?.compactMap { $0["codec_name"] as? String } == ["vp9", "opus"])
        #expect(try EditingOracle.frames(output).count == 37)
        #expect(try EditingOracle.decodeErrors(output) == "")
        let raw = folder.appendingPathComponent("sound.raw")
        try TestMedia.ffmpeg(["-i", output.path, "-map", "0:a", "-ac", "1", "-ar", "48000", "-f", "s16le", raw.path])
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: raw.path)[.size] as? Int)
        #expect(bytes == 2 * 48_000 * 148 / 100, "\(bytes / 2) samples")
        let joined = folder.appendingPathComponent("joined.webm")
        let join = try Concatenator.concat(ConcatRequest(inputs: [source.path, output.path], output: joined.path, mode: .auto,
                                                         quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        let sourceFrames = try EditingOracle.frames(source).count
        #expect(join.modeUsed == .reencode && join.frames == result.actual.frames + sourceFrames)
        #expect(try EditingOracle.frames(joined).count == join.frames)
    }

    /// An MPEG-TS whose picture clock alone jumps an hour after its first second: a clip of [0.5, 1.5) ran to
    /// the next picture (13 frames, an hour long; the re-encoded one took a minute to write the hour's
    /// silence); every mode then ended it at the range's end. The file is now read on one timeline
    /// (`TimestampContinuity`: the pictures go on after the jump, the sound by its own clock), so the clip
    /// holds the range's 25 pictures, the last ending with its frame.
    @Test(.needsFFmpeg, arguments: ClipMode.allCases)
    func aPictureTheSourceHoldsForAnHourEndsWithTheRange(_ mode: ClipMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try TestMedia.makeClip(at: folder.appendingPathComponent("plain.mp4"), seconds: 3, width: 160, height: 120)
        let jumping = folder.appendingPathComponent("jumping.ts")
        try TestMedia.retimedCopy(of: plain, to: jumping, videoTimes: "if(gte(N,25),TS+3600/TB,TS)")
        let output = folder.appendingPathComponent("clip.mp4")
        let result = try Clipper.clip(ClipRequest(input: jumping.path, output: output.path, start: 0.5, end: 1.5, mode: mode,
                                                  quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(abs(result.actual.end - 1.5) < 0.04 && result.actual.frames == 25, "\(result.actual)")
        let duration = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(duration - (result.actual.end - result.actual.start)) < 0.05)
        #expect(abs((try MediaProbe.probe(jumping.path).durationSec ?? 0) - 3) < 0.05)
        let format = try TestMedia.ffprobeJSON(["-show_entries", "format=duration", output.path])["format"] as? [String: Any]
        #expect(Double(format?["duration"] as? String ?? "") ?? .infinity < 1.1)
    }

    /// A recording written live (a browser's WebM, Matroska without cues) says nothing of its length, and
    /// every clip of one was refused ("has no usable duration to cut a range from"): the end of its video
    /// packets is its length, for the range to be checked against.
    @Test(.needsFFmpeg) func aRecordingThatGivesNoLengthIsCut() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = try TestMedia.makeClip(at: folder.appendingPathComponent("plain.mp4"), seconds: 3, width: 160, height: 120)
        let live = folder.appendingPathComponent("live.mkv")
        try TestMedia.retimedCopy(of: plain, to: live, live: true)
        #expect(try TestMedia.ffprobeJSON(["-show_entries", "format=duration", live.path])["format"].map { ($0 as? [String: Any])?["duration"] == nil } == true)
        let output = folder.appendingPathComponent("exact.mp4")
        let result = try Clipper.clip(ClipRequest(input: live.path, output: output.path, start: 1, end: 2, mode: .exact,
                                                  quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(result.actual.frames == 25)
        #expect(try EditingOracle.frames(output).count == 25)
        let error = #expect(throws: MediaError.self) {
            try Clipper.clip(ClipRequest(input: live.path, output: folder.appendingPathComponent("late.mp4").path, start: 3.5, end: 4))
        }
        // Its last picture ends at 3.02 s (the copy into Matroska starts the video 23 ms in, after the sound's priming).
        #expect(error?.message.hasPrefix("range starts at 3.5 s, at or after the end of the media (3.02") == true, "\(String(describing: error))")
    }

    @Test(.needsFFmpeg) func soundIsTrimmedToThePicture() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("av.mp4"))
        let output = folder.appendingPathComponent("exact.mp4")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.52, end: 2.0, mode: .exact,
                                                  quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(result.actual.frames == 37)
        let video = try #require(try EditingOracle.streamDuration(output, kind: "v"))
        let audio = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(video - 1.48) < 1e-3)
        #expect(abs(audio - video) < 0.04)
    }

    @Test(.needsFFmpeg, .needsCorpus) func rotationIsKept() throws {
        let source = try TestMedia.corpusFile("streamio-ffmpeg/ios9.mov")
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for mode in [ClipMode.copy, .exact] {
            let output = folder.appendingPathComponent("rotated-\(mode.rawValue).mov")
            let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.1, end: 0.4, mode: mode,
                                                      quality: EncodingQuality(crf: 23, preset: "ultrafast")))
            #expect(result.actual.frames == 9)
            let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_streams", output.path])
            let stream = try #require((json["streams"] as? [[String: Any]])?.first)
            let sideData = stream["side_data_list"] as? [[String: Any]] ?? []
            #expect(sideData.contains { ($0["rotation"] as? Int).map { abs($0) == 90 } ?? false })
            // The two metadata tracks of this iPhone file are not something MOV muxing can carry over: dropped, and said.
            #expect(result.warnings.count == 2)
        }
    }

    @Test(.needsFFmpeg) func aspectAndColourAreKept() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("tagged.mp4"), seconds: 2, audio: false,
                                            codec: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                                                    "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                                                    "-aspect", "16:9"])
        let output = folder.appendingPathComponent("exact.mp4")
        _ = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.2, end: 1.0, mode: .exact,
                                         quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_streams", output.path])
        let stream = try #require((json["streams"] as? [[String: Any]])?.first)
        #expect(stream["color_primaries"] as? String == "bt709")
        #expect(stream["color_space"] as? String == "bt709")
        #expect(stream["sample_aspect_ratio"] as? String == "4:3")
    }

    /// A damaged stream that gives a picture the timestamp of the one before it: chaplin.mp4 with a block
    /// zeroed, as `scripts/mutate.py` found it. The muxer refuses such a timestamp, so an exact clip and
    /// every rendition (the same writer) failed with "av_interleaved_write_frame: Invalid argument". The
    /// picture is left out and a warning says so: the output has the source's pictures whose timestamps
    /// rise (ffprobe's decode of the damaged file is the judge), each once, in order.
    @Test(.needsFFmpeg, .needsCorpus) func picturesTimedAtOrBeforeThePreviousOneAreLeftOut() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.zeroed(at: 498_597, length: 65_109).copy(of: "moviepy/chaplin.mp4", in: folder)
        let probe = try TestMedia.run("ffprobe", ["-v", "quiet", "-select_streams", "v:0", "-show_entries", "frame=best_effort_timestamp",
                                                  "-of", "csv=p=0", damaged.path])
        let stamps = probe.stdout.split(separator: "\n").compactMap { Int64($0.split(separator: ",").first ?? "") }
        var rising = 0, last = Int64.min
        for stamp in stamps where stamp > last { rising += 1; last = stamp }
        #expect(rising == stamps.count - 1, "the damage repeats one timestamp: \(rising) rising of \(stamps.count)")

        let quality = EncodingQuality(crf: 30, preset: "ultrafast")
        let duration = try #require(try MediaProbe.probe(damaged.path).durationSec)
        let clipped = folder.appendingPathComponent("exact.mp4")
        let clip = try Clipper.clip(ClipRequest(input: damaged.path, output: clipped.path, start: 0, end: duration, mode: .exact, quality: quality))
        let reframed = folder.appendingPathComponent("square.mp4")
        let rendition = try RenditionRenderer.render(input: damaged.path, output: reframed.path,
                                                     rendition: .reframed(aspect: AspectRatio("1:1")!, fit: .crop, quality: quality))
        for (output, frames, warnings) in [(clipped, clip.actual.frames, clip.warnings), (reframed, rendition.frames, rendition.warnings)] {
            #expect(frames == rising, "\(output.lastPathComponent)")
            #expect(warnings.contains { $0.contains("1 damaged picture") && $0.contains("left out") }, "\(warnings)")
            let presented = try EditingOracle.frames(output)
            #expect(presented.count == rising)
            #expect(zip(presented, presented.dropFirst()).allSatisfy { $0.time < $1.time })
            #expect(try EditingOracle.decodeErrors(output) == "")
        }
    }

    /// A sound track whose decoder refuses its damaged headers (`ConcatTests.damagedVorbisHeaders`): an exact clip
    /// and a rendition, which re-encode the sound, failed on it as the ffmpeg command line does. The picture is
    /// whole, so they now leave the track out and say why, as they do for a track they cannot store.
    @Test(.needsFFmpeg, .needsCorpus) func aSoundTrackWhoseDecoderRefusesItIsLeftOut() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try ConcatTests.damagedVorbisHeaders.damage.copy(of: ConcatTests.damagedVorbisHeaders.file, in: folder)
        let quality = EncodingQuality(crf: 30, preset: "ultrafast")
        let clipped = folder.appendingPathComponent("exact.mp4")
        let clip = try Clipper.clip(ClipRequest(input: damaged.path, output: clipped.path, start: 0.25, end: 0.75, mode: .exact, quality: quality))
        let compressed = folder.appendingPathComponent("small.mp4")
        let rendition = try RenditionRenderer.render(input: damaged.path, output: compressed.path,
                                                     rendition: .compressed(height: 180, quality: quality))
        for (output, frames, warnings, expected) in [(clipped, clip.actual.frames, clip.warnings, 12), (compressed, rendition.frames, rendition.warnings, 24)] {
            #expect(frames == expected)
            #expect(try EditingOracle.frames(output).count == expected)
            #expect(warnings.contains { $0.hasPrefix("dropped stream #1 (audio vorbis): its decoder refuses its damaged headers (avcodec_open2") },
                    "\(warnings)")
            #expect(try EditingOracle.streamDuration(output, kind: "a") == nil)
            #expect(try EditingOracle.decodeErrors(output) == "")
        }
    }
}
