import Foundation
import LibAV
import MediaTestSupport
import Testing
@testable import MediaOps

/// MPEG-TS files joined by `cat a.ts b.ts a.ts`: each part's clock starts again, so the file's own
/// timestamps go back twice. ffprobe calls such a file as long as one part; FFmpeg's command line shifts the
/// jumps away as it decodes (the oracle here). Every command reads one continuous timeline
/// (`TimestampContinuity`): before, `segments` counted 12 s while `probe` said 4 s and a clip of the
/// second part was refused as past the end.
@Suite(.needsFFmpeg) struct JoinedTransportStreamTests {
    /// Three 4 s parts at 25 fps with sound, the middle one different (SMPTE bars): cuts at frames 100 and 200.
    static func makeJoined(in folder: URL) throws -> URL {
        let first = folder.appendingPathComponent("a.ts"), second = folder.appendingPathComponent("b.ts")
        for (part, source, tone) in [(first, "testsrc2", 440), (second, "smptebars", 880)] {
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "\(source)=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "sine=f=\(tone):d=4",
                                  "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "2", "-c:a", "aac", part.path])
        }
        let joined = folder.appendingPathComponent("joined.ts")
        var bytes = Data()
        for part in [first, second, first] { bytes.append(try Data(contentsOf: part)) }
        try bytes.write(to: joined)
        return joined
    }

    @Test func everyCommandReadsOneContinuousTimeline() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let joined = try Self.makeJoined(in: folder)
        // The file is what the test means: read by its own clock it lasts one part.
        let claimed = try TestMedia.ffprobeJSON(["-show_entries", "format=duration", joined.path])["format"] as? [String: Any]
        #expect(Double(claimed?["duration"] as? String ?? "") ?? 0 < 4.5)

        let probe = try MediaProbe.probe(joined.path)
        #expect(abs((probe.durationSec ?? 0) - 12) < 0.1, "\(String(describing: probe.durationSec))")
        #expect(probe.video?.frameCount == 300)
        #expect(probe.video?.frameRateMode == "cfr")

        let analysis = try VideoAnalyzer.analyze(path: joined.path)
        #expect(analysis.frameCount == 300)
        #expect(analysis.segments.map(\.startFrame) == [0, 100, 200])
        let second = try #require(analysis.segments.dropFirst().first)
        #expect(abs(second.endTime - second.startTime - 4) < 0.01, "\(second.startTime)-\(second.endTime)")

        // A clip of the second part (by the analysis's times) is its frames, as FFmpeg decodes the joined file.
        let oracle = try TestMedia.frameMD5(joined).map(\.md5)
        #expect(oracle.count == 300)
        let copy = folder.appendingPathComponent("copy.mp4")
        let copied = try Clipper.clip(ClipRequest(input: joined.path, output: copy.path, start: second.startTime + 1,
                                                  end: second.endTime - 1, mode: .copy))
        #expect(copied.actual.frames == 50)
        #expect(try TestMedia.frameMD5(copy).map(\.md5) == Array(oracle[125..<175]))

        // Copied across both joins (each part's sound overlaps the next part's first by a frame: that
        // frame is dropped, or the muxer refuses times that go back): the frames of the range.
        let copyAcross = folder.appendingPathComponent("copy-across.mp4")
        let acrossCopied = try Clipper.clip(ClipRequest(input: joined.path, output: copyAcross.path, start: 3, end: 9, mode: .copy))
        let firstCopied = try #require(analysis.frames.firstIndex { $0.time >= acrossCopied.actual.start - 1e-3 })
        #expect(firstCopied == 75 && acrossCopied.actual.frames == 150, "\(firstCopied) \(acrossCopied.actual)")
        #expect(try TestMedia.frameMD5(copyAcross).map(\.md5) == Array(oracle[firstCopied..<(firstCopied + acrossCopied.actual.frames)]))

        // Across both joins, re-encoded: every frame, and the sound as long as the pictures.
        let exact = folder.appendingPathComponent("exact.mp4")
        let across = try Clipper.clip(ClipRequest(input: joined.path, output: exact.path, start: 3, end: 9, mode: .exact,
                                                  quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(across.actual.frames == 150)
        #expect(try EditingOracle.frames(exact).count == 150)
        let video = try #require(try EditingOracle.streamDuration(exact, kind: "v"))
        let audio = try #require(try EditingOracle.streamDuration(exact, kind: "a"))
        #expect(abs(video - audio) < 0.05, "video \(video) s, audio \(audio) s")

        // A keyframe by time in the third part: the seek finds that part's, not the first's.
        let input = try InputFile(path: joined.path)
        try input.findStreamInfo()
        #expect(input.timelineWasJoined)
        let stream = try #require(input.bestStream(.video))
        let target = (stream.startTime ?? 0) + Int64(10.5 * Double(stream.timeBase.denominator) / Double(stream.timeBase.numerator))
        try input.seek(stream: stream.index, toKeyframeBefore: target)
        let packet = try Packet()
        var first: Int64?
        while first == nil, try input.read(into: packet) == .packet {
            if packet.streamIndex == stream.index { first = packet.pts }
            packet.unreference()
        }
        let seconds = Double(try #require(first) - (stream.startTime ?? 0)) * stream.timeBase.doubleValue
        #expect(seconds > 9.5 && seconds <= 10.5, "\(seconds) s")
    }

    /// Two MPEG-2 program streams (`.mpg`) joined: the picture that opens the second part is placed where its
    /// first piece began, before the sound packet that met the jump first; the shift begins there, and the
    /// pictures go on one frame after the first part's (its sound starts before them and ends after them).
    @Test func joinedProgramStreamsAreOneTimelineToo() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var bytes = Data()
        for (name, source, tone) in [("a.mpg", "testsrc2", 440), ("b.mpg", "smptebars", 880)] {
            let part = folder.appendingPathComponent(name)
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "\(source)=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "sine=f=\(tone):d=4",
                                  "-c:v", "mpeg2video", "-g", "12", "-c:a", "mp2", "-f", "vob", part.path])
            bytes.append(try Data(contentsOf: part))
        }
        let joined = folder.appendingPathComponent("joined.mpg")
        try bytes.write(to: joined)
        let probe = try MediaProbe.probe(joined.path)
        #expect(abs((probe.durationSec ?? 0) - 8.02) < 0.05, "\(String(describing: probe.durationSec))")
        let analysis = try VideoAnalyzer.analyze(path: joined.path)
        #expect(analysis.segments.map(\.startFrame) == [0, 100])
        #expect(analysis.frames.count == 200)
        let times = analysis.frames.map(\.time)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { abs($0 - 0.04) < 1e-3 }, "\(gaps.filter { abs($0 - 0.04) >= 1e-3 })")
        // A second of the second part, by the analysis's times: its pictures, not the first part's.
        let output = folder.appendingPathComponent("clip.mp4")
        let clip = try Clipper.clip(ClipRequest(input: joined.path, output: output.path, start: 5, end: 6, mode: .exact,
                                                quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        let first = try #require(analysis.frames.firstIndex { $0.time >= clip.actual.start - 1e-3 })
        #expect(first == 125 && clip.actual.frames == 25, "\(first) \(clip.actual)")
        #expect(try EditingOracle.psnr(output, against: joined, firstFrame: first, count: 25) > 30)
    }

    /// Two parts joined whose sound clock goes on across the join (the second part's sound retimed by ffmpeg's
    /// `setts` to follow the first's) while the picture clock starts again: the pictures' shift is not the
    /// sound's, which keeps its own times (taking the pictures' shift it would leap 4 s and end at 12 s).
    /// (A clock that alone jumps an hour, as `ClipExactTests`' `jumping.ts`, leaves its packets after all the
    /// others' in the file, where no other stream's packet comes under the shift.)
    @Test func aClockThatDidNotJumpKeepsItsOwnTimes() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.ts"), restarted = folder.appendingPathComponent("b0.ts")
        for (part, source) in [(first, "testsrc2"), (restarted, "smptebars")] {
            try TestMedia.ffmpeg(["-f", "lavfi", "-i", "\(source)=size=160x120:rate=25:duration=4", "-f", "lavfi", "-i", "sine=d=4",
                                  "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", part.path])
        }
        let second = folder.appendingPathComponent("b.ts")
        // The first part's sound runs 4.04 s (AAC's priming and last frame): the second's goes on from there.
        try TestMedia.ffmpeg(["-i", restarted.path, "-c", "copy", "-bsf:a", "setts=ts=TS+4.04/TB", second.path])
        var bytes = Data()
        for part in [first, second] { bytes.append(try Data(contentsOf: part)) }
        let joined = folder.appendingPathComponent("joined.ts")
        try bytes.write(to: joined)
        let probe = try MediaProbe.probe(joined.path)
        #expect(abs((probe.video?.durationSec ?? 0) - 8) < 0.1, "\(String(describing: probe.video?.durationSec))")
        #expect(abs((probe.audio?.durationSec ?? 0) - 8.08) < 0.1, "\(String(describing: probe.audio?.durationSec))")
        #expect(try VideoAnalyzer.analyze(path: joined.path).segments.map(\.startFrame) == [0, 100])
    }

    /// A lost block (32 KB of zeros, found by mutation seed 226) leaves a 0.2 s gap in the pictures' and the
    /// sound's times: a gap, not a jump. The first scan took the gap for the stream's step, so every packet
    /// after it came "too early" and began a shift of its own: 250 shifts, 57 s instead of 10, and a `concat`
    /// of the file that never ended.
    @Test(.enabled(if: TestMedia.corpusFileIfPresent("mediabunny/missing-keyframe-labels.ts") != nil, "needs the corpus"))
    func aGapLeftByALostBlockIsNotAJump() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let damaged = try CorpusDamage.zeroed(at: 479_384, length: 32_075).copy(of: "mediabunny/missing-keyframe-labels.ts", in: folder)
        let input = try InputFile(path: damaged.path)
        #expect(!input.timelineWasJoined)
        let probe = try MediaProbe.probe(damaged.path)
        #expect(abs((probe.durationSec ?? 0) - 10.02) < 0.05, "\(String(describing: probe.durationSec))")
    }

    /// One part alone keeps libav's own reading: nothing to join.
    @Test func aFileWhoseClockGoesOnIsReadAsItIs() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try Self.makeJoined(in: folder)
        let input = try InputFile(path: folder.appendingPathComponent("a.ts").path)
        try input.findStreamInfo()
        #expect(!input.timelineWasJoined)
    }
}
