import Foundation
import LibAV
import Testing
import MediaOps
import MediaTestSupport

/// `concat`: copies of pieces of one encode rejoin bit for bit; unlike inputs
/// are normalised with picture and sound in step; copy refuses differences by name.
@Suite(.serialized) struct ConcatTests {
    /// Pieces in MP4 (edit lists, decoding times) and Matroska (no decoding times for the first packets).
    @Test(.needsFFmpeg, arguments: [(ConcatMode.copy, "mp4"), (.auto, "mp4"), (.copy, "mkv")])
    func piecesOfOneEncodeRejoinBitForBit(_ mode: ConcatMode, _ container: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // B-frames, a keyframe every second, sound: cut at keyframes by ffmpeg's segment muxer.
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("whole.mp4"), seconds: 5)
        try TestMedia.ffmpeg(["-i", source.path, "-c", "copy", "-f", "segment", "-segment_time", "2", "-reset_timestamps", "1",
                              folder.appendingPathComponent("piece%d.\(container)").path])
        let pieces = (0..<3).map { folder.appendingPathComponent("piece\($0).\(container)").path }
        let output = folder.appendingPathComponent("rejoined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: pieces, output: output.path, mode: mode))
        #expect(result.modeUsed == .copy)
        #expect(result.frames == 125)
        #expect(abs(result.durationSec - 5) < 1e-6)
        #expect(try EditingOracle.frames(output).map(\.md5) == EditingOracle.frames(source).map(\.md5))
        #expect(try EditingOracle.decodeErrors(output) == "")
        let audio = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(audio - 5) < 0.05)
    }

    @Test(.needsFFmpeg) func copyRefusesInputsThatDifferAndNamesTheDifference() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try TestMedia.makeClip(at: folder.appendingPathComponent("a.mp4"), seconds: 1, width: 320, height: 240)
        let b = try TestMedia.makeClip(at: folder.appendingPathComponent("b.mp4"), seconds: 1, width: 160, height: 120)
        let c = try TestMedia.makeClip(at: folder.appendingPathComponent("c.mp4"), seconds: 1, width: 320, height: 240, fps: 30)
        let output = folder.appendingPathComponent("out.mp4")
        let sizeError = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [a.path, b.path], output: output.path, mode: .copy))
        }
        #expect(sizeError?.code == .incompatibleInputs)
        #expect(sizeError?.path == b.path)
        #expect(sizeError?.message.contains("160x120") == true)
        let rateError = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [a.path, c.path], output: output.path, mode: .copy))
        }
        #expect(rateError?.message.contains("frame rate") == true)
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test(.needsFFmpeg, .needsCorpus) func unlikeCorpusInputsJoinWithPictureAndSoundInStep() throws {
        let a = try TestMedia.corpusFile("ffmpeg-concat/0.mp4")
        let b = try TestMedia.corpusFile("mp4parser/v1.mp4")
        let c = try TestMedia.corpusFile("ffmpeg-python/in.mp4")
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [a.path, b.path, c.path], output: output.path, mode: .auto,
                                                           quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(result.modeUsed == .reencode)
        #expect(result.reason != nil)
        let inputSum = try [a, b, c].map { try #require(try EditingOracle.streamDuration($0, kind: "v")) }.reduce(0, +)
        let frame = 1.0 / 25
        let video = try #require(try EditingOracle.streamDuration(output, kind: "v"))
        let audio = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(video - inputSum) <= frame)
        #expect(abs(audio - inputSum) <= frame)
        #expect(abs(audio - video) <= frame)
        #expect(result.frames == (try EditingOracle.frames(output).count))
        #expect(result.inputs.map(\.frames).reduce(0, +) == result.frames)
        let json = try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_entries", "stream=width,height", output.path])
        let stream = try #require((json["streams"] as? [[String: Any]])?.first)
        #expect(stream["width"] as? Int == 640 && stream["height"] as? Int == 360)
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg) func variableRateOffsetAndSilentInputsAreNormalised() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let silent = try TestMedia.makeClip(at: folder.appendingPathComponent("silent.mp4"), seconds: 1.2, audio: false)
        let variable = try EditingOracle.makeVariableRateClip(at: folder.appendingPathComponent("vfr.mp4"))
        let offset = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("offset.mp4"), seconds: 1.6,
                                                      extra: ["-output_ts_offset", "2.5"])
        let tall = try TestMedia.makeClip(at: folder.appendingPathComponent("tall.mp4"), seconds: 1, width: 120, height: 240, fps: 30)
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [silent.path, variable.path, offset.path, tall.path], output: output.path,
                                                           mode: .reencode, size: PictureSize(width: 320, height: 240), frameRate: 25,
                                                           quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(result.modeUsed == .reencode)
        // Each input fills the 25 fps slots of its own duration, whatever its rate or first timestamp.
        let expected = try [silent, variable, offset, tall].map { Int((try #require(try EditingOracle.streamDuration($0, kind: "v")) * 25).rounded()) }
        #expect(expected == [30, 99, 40, 25])
        #expect(result.inputs.map(\.frames) == expected)
        let total = expected.reduce(0, +)
        #expect(result.frames == total)
        let video = try #require(try EditingOracle.streamDuration(output, kind: "v"))
        let audio = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(video - Double(total) / 25) < 1e-3)
        #expect(abs(audio - video) <= 0.04)
        #expect(try EditingOracle.frames(output).count == total)
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg) func duplicateJoinFramesAreDropped() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("src.mp4"), seconds: 4, audio: false)
        // A "video extend": the second part begins on the first part's last frame (frame 49).
        let first = folder.appendingPathComponent("first.mp4"), second = folder.appendingPathComponent("second.mp4")
        try TestMedia.ffmpeg(["-i", source.path, "-vf", "trim=start_frame=0:end_frame=50,setpts=PTS-STARTPTS",
                              "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", first.path])
        try TestMedia.ffmpeg(["-i", source.path, "-vf", "trim=start_frame=49:end_frame=100,setpts=PTS-STARTPTS",
                              "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", second.path])
        let kept = try Concatenator.concat(ConcatRequest(inputs: [first.path, second.path], output: folder.appendingPathComponent("kept.mp4").path,
                                                         mode: .auto))
        #expect(kept.modeUsed == .copy)
        #expect(kept.frames == 101)
        let trimmedOutput = folder.appendingPathComponent("trimmed.mp4")
        let trimmed = try Concatenator.concat(ConcatRequest(inputs: [first.path, second.path], output: trimmedOutput.path, mode: .auto,
                                                            trimDuplicateJoins: true, quality: EncodingQuality(crf: 16, preset: "ultrafast")))
        #expect(trimmed.modeUsed == .reencode)
        #expect(trimmed.frames == 100)
        #expect(trimmed.inputs.map(\.droppedDuplicateFrame) == [false, true])
        #expect(try EditingOracle.psnr(trimmedOutput, against: source, firstFrame: 0, count: 100) >= 35)
        // Two different pictures at a join are left alone.
        let third = folder.appendingPathComponent("third.mp4")
        try TestMedia.ffmpeg(["-i", source.path, "-vf", "trim=start_frame=60:end_frame=100,setpts=PTS-STARTPTS",
                              "-c:v", "libx264", "-preset", "ultrafast", third.path])
        let distinct = try Concatenator.concat(ConcatRequest(inputs: [first.path, third.path], output: folder.appendingPathComponent("distinct.mp4").path,
                                                             mode: .auto, trimDuplicateJoins: true))
        #expect(distinct.modeUsed == .copy)
        #expect(distinct.frames == 90)
    }

    @Test(.needsFFmpeg, .needsCorpus) func rotatedInputsAreTurnedUprightAndPillarboxed() throws {
        let landscape = try TestMedia.corpusFile("ffmpeg-python/in.mp4")
        let portrait = try TestMedia.corpusFile("streamio-ffmpeg/ios9.mov")
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [landscape.path, portrait.path], output: output.path,
                                                           quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        #expect(result.modeUsed == .reencode)
        #expect(result.warnings.isEmpty)
        #expect(try EditingOracle.decodeErrors(output) == "")
        // The iPhone clip (1280x720 coded, shown turned 90°) stands upright in the 320x240 frame: 134x240 in the middle.
        let offset = try #require(result.inputs.last?.offsetSec)
        func gray(_ arguments: [String]) throws -> [UInt8] {
            let url = folder.appendingPathComponent("gray-\(UUID().uuidString).raw")
            try TestMedia.ffmpeg(arguments + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", url.path])
            return [UInt8](try Data(contentsOf: url))
        }
        let joined = try gray(["-ss", String(offset + 0.01), "-i", output.path, "-vf", "crop=134:240:92:0,scale=16:32"])
        let upright = try gray(["-i", portrait.path, "-vf", "scale=16:32"])
        let sideways = try gray(["-noautorotate", "-i", portrait.path, "-vf", "transpose=1,transpose=1,transpose=1,scale=16:32"])
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Double {
            Double(zip(a, b).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(max(1, a.count))
        }
        #expect(joined.count == 512 && upright.count == 512)
        #expect(distance(joined, upright) < 12)
        #expect(distance(joined, upright) < distance(joined, sideways))
        let bars = try gray(["-ss", String(offset + 0.01), "-i", output.path, "-vf", "crop=80:240:0:0"])
        #expect(Double(bars.map(Int.init).reduce(0, +)) / Double(max(1, bars.count)) < 20)
    }

    /// Real files damaged as `scripts/mutate.py` damaged them when it found these: a block repeated (every
    /// offset the index gives after it is wrong), a few header bytes changed (the decoder then meets
    /// features it lacks and, at the end, a damaged packet still queued when the end of the input is sent).
    /// Re-encoding skips what cannot be decoded, as every other command does, and says so in a warning;
    /// before, both failed naming the output instead of the input.
    static let damagedCopies: [(file: String, damage: CorpusDamage)] = [
        ("ffmpeg-concat/1.mp4", .repeated(at: 119_103, length: 18_364)),
        ("mediabunny/1080p-portrait-derotated.mp4", .bytes([(720, 202), (2415, 254), (3027, 38)])),
    ]


    @Test(.needsFFmpeg, .needsCorpus, arguments: 0..<2)
    func damagedInputsAreReencodedWithTheirDamageSkipped(_ index: Int) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, damage) = Self.damagedCopies[index]
        let damaged = try damage.copy(of: file, in: folder)
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .reencode,
                                                           quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.frames > 0)
        #expect(result.inputs.map(\.frames) == [result.frames / 2, result.frames / 2])
        #expect(result.frames == (try EditingOracle.frames(output).count))
        #expect(result.warnings.count == 2 && result.warnings.allSatisfy { $0.hasPrefix("\(damaged.path): damaged data:") })
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    /// A timeline decodes an item's picture and its sound apart, and may decode a file for several items:
    /// the packets its decoders skipped as damaged are said once per file, as a join says them.
    @Test(.needsFFmpeg, .needsCorpus) func aTimelineSaysOncePerFileWhatDamageItSkipped() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, damage) = Self.damagedCopies[0]
        let damaged = try damage.copy(of: file, in: folder)
        let output = folder.appendingPathComponent("timeline.mp4")
        let result = try TimelineRenderer.render(TimelineRequest(entries: [TimelineEntry(path: damaged.path, start: 0.5, end: 2),
                                                                           TimelineEntry(path: damaged.path, start: 2, end: 3.5)],
                                                                 output: output.path, quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.warnings.filter { $0.contains("damaged data:") } == result.warnings.filter { $0.hasPrefix("\(damaged.path): damaged data:") })
        #expect(result.warnings.filter { $0.contains("damaged data:") }.count == 1, "\(result.warnings)")
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    /// A WebM whose sound track's Vorbis setup header was damaged (one byte): its decoder refuses to open, as
    /// ffmpeg's does ("Setup header corrupt"). Before, joining it failed naming it; the picture is all there,
    /// so now it is joined with silence for its sound, and a warning names it and libav's reason.
    @Test(.needsFFmpeg, .needsCorpus, arguments: [ConcatMode.auto, .reencode])
    func anInputWhoseSoundCannotBeDecodedJoinsWithSilence(_ mode: ConcatMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try Self.damagedVorbisHeaders.damage.copy(of: Self.damagedVorbisHeaders.file, in: folder)
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 1)
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [good.path, damaged.path], output: output.path, mode: mode,
                                                           quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.modeUsed == .reencode)
        #expect(result.inputs.map(\.frames) == [25, 25], "1 s of each at the first input's 25 fps")
        #expect(result.warnings.contains { $0.hasPrefix(damaged.path) && $0.contains("its sound cannot be decoded (avcodec_open2")
            && $0.contains("silence in its place") }, "\(result.warnings)")
        #expect(try EditingOracle.decodeErrors(output) == "")
        let sound = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        #expect(abs(sound - 2) < 0.05)
        // The tone of the first input is heard; the second's second is silent.
        #expect(try Self.loudestLevel(output, from: 0.1, to: 0.9) > -30)
        #expect(try Self.loudestLevel(output, from: 1.1, to: 1.9) < -80)
    }

    /// The same input in a timeline (`compose`, `loops --render`): its frames with silence, and the warning.
    @Test(.needsFFmpeg, .needsCorpus) func aTimelineItemWhoseSoundCannotBeDecodedIsSilent() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try Self.damagedVorbisHeaders.damage.copy(of: Self.damagedVorbisHeaders.file, in: folder)
        let good = try TestMedia.makeClip(at: folder.appendingPathComponent("good.mp4"), seconds: 1)
        let output = folder.appendingPathComponent("timeline.mp4")
        let result = try TimelineRenderer.render(TimelineRequest(entries: [TimelineEntry(path: good.path, start: 0, end: 1),
                                                                           TimelineEntry(path: damaged.path, start: 0, end: 1)],
                                                                 output: output.path))
        #expect(result.frames == 50)
        #expect(result.warnings.contains { $0.hasPrefix(damaged.path) && $0.contains("its sound cannot be decoded (avcodec_open2") },
                "\(result.warnings)")
        #expect(try Self.loudestLevel(output, from: 0.1, to: 0.9) > -30)
        #expect(try Self.loudestLevel(output, from: 1.1, to: 1.9) < -80)
    }

    /// big_buck_bunny_432_433.webm (1 s, VP8 and Vorbis) with one byte of its Vorbis setup header changed.
    static let damagedVorbisHeaders: (file: String, damage: CorpusDamage) = ("moviepy/big_buck_bunny_432_433.webm", .bytes([(599, 216)]))

    /// The loudest sample of `url`'s sound between two times, in dB below full scale (ffmpeg's volumedetect).
    static func loudestLevel(_ url: URL, from start: Double, to end: Double) throws -> Double {
        let run = try TestMedia.run("ffmpeg", ["-hide_banner", "-nostdin", "-ss", String(start), "-to", String(end), "-i", url.path,
                                               "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"])
        let line = try #require(run.stderr.split(separator: "\n").first { $0.contains("max_volume:") })
        return try #require(Double(line.split(separator: " ").dropLast().last ?? ""))
    }

    /// A timeline item whose pictures have no known pixel format (mp4parser's example-sans-amf0.mp4: its H.264 never
    /// decodes, so its decoder never tells one): libswscale aborted the whole process on it (found by `scripts/mutate.py`
    /// through `compose`). Now one error naming the item's file, and no output.
    @Test(.needsFFmpeg, .needsCorpus) func aTimelineItemOfUnknownPixelFormatIsNamed() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let undecodable = try TestMedia.corpusFile("mp4parser/example-sans-amf0.mp4")
        let output = folder.appendingPathComponent("timeline.mp4")
        let error = #expect(throws: MediaError.self) {
            try TimelineRenderer.render(TimelineRequest(entries: [TimelineEntry(path: undecodable.path, start: 0, end: 1),
                                                                  TimelineEntry(path: undecodable.path, start: 0.5, end: 1.5)],
                                                        output: output.path))
        }
        #expect(error?.path == undecodable.path)
        #expect(error?.message.contains("unknown pixel format") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// cursed-vfr.mp4 with two header bytes changed, as `scripts/mutate.py` found it: its average frame rate reads
    /// 1138376815/37789409 (30.124 fps), and 512 ticks a frame of that overflowed 32 bits: `compose` was killed
    /// (SIGILL, a Swift overflow trap). The rate is now taken as a fraction of smaller terms, the same to a millionth.
    @Test(.needsFFmpeg, .needsCorpus) func aFrameRateOfHugeTermsStillMakesATimeline() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.bytes([(710, 71), (3429, 241)]).copy(of: "mediabunny/cursed-vfr.mp4", in: folder)
        let output = folder.appendingPathComponent("timeline.mp4")
        let result = try TimelineRenderer.render(TimelineRequest(entries: [TimelineEntry(path: damaged.path, start: 0, end: 1),
                                                                           TimelineEntry(path: damaged.path, start: 0.5, end: 1.5)],
                                                                 output: output.path, quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.frameRate.numerator <= 1_000_000)
        #expect(abs(result.frameRate.doubleValue - 1138376815.0 / 37789409.0) < 1e-6)
        #expect(result.frames == 60)
        #expect(try EditingOracle.frames(output).count == 60)
    }

    /// A block repeated inside the index of fire2.mp4 gives its sound packets of no length at equal times; copied as
    /// they were, two of them reached the muxer with one decoding time ("non monotonically increasing dts").
    @Test(.needsFFmpeg, .needsCorpus) func soundPacketsOfNoLengthStillJoinByCopy() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.repeated(at: 398_437, length: 6_588).copy(of: "moviepy/fire2.mp4", in: folder)
        let output = folder.appendingPathComponent("joined.mp4")
        let result = try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .copy))
        #expect(result.modeUsed == .copy)
        #expect(result.frames > 0 && result.inputs.map(\.frames) == [result.frames / 2, result.frames / 2])
        #expect(try TestMedia.packetCount(output) == result.frames)
    }

    /// Damage that leaves the input saying what cannot be re-encoded. A block repeated into the header of
    /// count-video.mp4 makes it claim 18391x9014 pictures, which libx264 refuses: without --size that size is the
    /// first input's, so the error names the input and says what to give. One repeated into edts.mp4 leaves sound
    /// the resampler refuses (swr_init). Both named the output before.
    @Test(.needsFFmpeg, .needsCorpus, arguments: [
        ("mp4parser/count-video.mp4", 255_075, 23_755, "18390x9014 pictures cannot be re-encoded"),
        ("mediabunny/edts.mp4", 55_905, 18_743, "swr_init"),
    ])
    func whatTheInputSaysThatCannotBeReencodedNamesIt(_ file: String, _ at: Int, _ length: Int, _ reason: String) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.repeated(at: at, length: length).copy(of: file, in: folder)
        let output = folder.appendingPathComponent("joined.mp4")
        let error = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .reencode))
        }
        #expect(error?.path == damaged.path)
        #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// A block zeroed in an MPEG-TS (`scripts/mutate.py`, seed 213) leaves a sound packet without its ADTS
    /// header, which the filter turning ADTS into MP4's AAC refuses. Copying failed naming the output
    /// ("damaged media data"); the packet is the input's: `auto` re-encodes (skipping the damage) and
    /// says why, `copy` refuses by the input's name.
    @Test(.needsFFmpeg, .needsCorpus) func aPacketTheMuxerRefusesAsDamagedIsTheInputs() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.zeroed(at: 853_272, length: 15_474).copy(of: "mediabunny/missing-keyframe-labels.ts", in: folder)
        let output = folder.appendingPathComponent("joined.mp4")
        let reason = "\(damaged.path) has a packet mp4 refuses as damaged (av_interleaved_write_frame: Invalid data found when processing input)"
        let result = try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .auto))
        #expect(result.modeUsed == .reencode)
        #expect(result.reason == reason)
        #expect(result.frames == 1200)
        #expect(try TestMedia.packetCount(output) == 1200)
        try FileManager.default.removeItem(at: output)
        let error = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .copy))
        }
        #expect(error?.path == damaged.path && error?.message == "cannot join without re-encoding: \(reason)", "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    /// A block repeated in an AV1 IVF file (`scripts/mutate.py`, seed 3001) leaves a frame header near the end
    /// claiming 380 MB, and `av_read_frame` fails there with "Cannot allocate memory". Copying failed naming the
    /// output; the input is what cannot be read: `copy` refuses by its name, `auto` re-encodes, and re-encoding
    /// ends the input at that read and keeps every frame before it, as ffmpeg's command line does (25 of each).
    static let unreadableTail = (file: "mp4ff/av1.ivf", damage: CorpusDamage.repeated(at: 13_879, length: 2_786))

    @Test(.needsFFmpeg, .needsCorpus) func anInputWhoseTailCannotBeReadIsTheInputs() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try Self.unreadableTail.damage.copy(of: Self.unreadableTail.file, in: folder)
        let decodable = try EditingOracle.frames(damaged).count
        #expect(decodable == 25)
        let output = folder.appendingPathComponent("joined.mp4")
        let reason = "\(damaged.path) cannot be read to its end (av_read_frame: Cannot allocate memory)"
        let error = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .copy))
        }
        #expect(error?.path == damaged.path && error?.message == "cannot join without re-encoding: \(reason)", "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let result = try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: .auto,
                                                           quality: EncodingQuality(crf: 30, preset: "ultrafast")))
        #expect(result.modeUsed == .reencode)
        #expect(result.reason == reason)
        #expect(result.inputs.map(\.frames) == [decodable, decodable])
        #expect(try EditingOracle.frames(output).count == 2 * decodable)
        #expect(result.warnings.count == 2 && result.warnings.allSatisfy { $0.hasPrefix("\(damaged.path): damaged data:") })
    }

    /// A damaged time scale: one byte of the AVI header's video scale overwritten (as `scripts/mutate.py` did,
    /// seed 212) makes one second of video claim 167 days, a frame every 6.7 days. The re-encoded join took
    /// that rate for its own and trapped asking for 700 billion samples of silence; every mode now refuses
    /// the input by name, as `clip` does, and leaves nothing behind.
    @Test(.needsFFmpeg, .needsCorpus, arguments: [ConcatMode.copy, .auto, .reencode])
    func anInputClaimingMonthsIsRefused(_ mode: ConcatMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.bytes([(130, 221)]).copy(of: "mediabunny/avi_avc-aac.avi", in: folder)
        let output = folder.appendingPathComponent("joined.mp4")
        let error = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [damaged.path, damaged.path], output: output.path, mode: mode))
        }
        #expect(error?.path == damaged.path)
        #expect(error?.message == "claims to last 14483457 s: the track's timing is damaged", "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [damaged.lastPathComponent])
    }

    /// A container that gives no length to check (Matroska written live) whose timestamps jump 2,000,000 s
    /// after the first second: the re-encoded join would hold that picture for 23 days of frames (it ran
    /// until killed), the copy made a file 46 days long; both stop at the jump and name the input.
    @Test(.needsFFmpeg, arguments: [ConcatMode.copy, .reencode])
    func timestampsJumpingDaysAheadAreRefused(_ mode: ConcatMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("plain.mkv"), jumping = folder.appendingPathComponent("jumping.mkv")
        try TestMedia.makeClip(at: plain, seconds: 2, width: 160, height: 120, audio: true)
        try TestMedia.retimedCopy(of: plain, to: jumping, videoTimes: "if(gte(N,25),TS+2000000000,TS)", live: true)
        let output = folder.appendingPathComponent("joined.mp4")
        let error = #expect(throws: MediaError.self) {
            try Concatenator.concat(ConcatRequest(inputs: [mode == .copy ? jumping.path : plain.path, jumping.path], output: output.path, mode: mode))
        }
        #expect(error?.path == jumping.path)
        #expect(error?.message.hasPrefix("its timestamps reach 2000001 s past its first picture") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
