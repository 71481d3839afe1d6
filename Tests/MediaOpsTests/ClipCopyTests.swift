import Foundation
import Testing
import MediaOps
import MediaTestSupport

/// `clip --mode copy`: the output presents exactly the source's frames in the
/// range, bit for bit, from B-frame, variable-rate and offset sources.
@Suite(.serialized) struct ClipCopyTests {
    enum Source: String, CaseIterable, Sendable {
        case bFrames, variableRate, offsetStart, inBandParameterSets, openGOPCorpus

        /// The sources this checkout can make: the corpus one only where the corpus is
        /// (its absence shows as one case fewer, not as a pass that checked nothing).
        static var available: [Source] { allCases.filter { $0 != .openGOPCorpus || TestMedia.hasCorpus } }
    }

    static func make(_ source: Source, in folder: URL) throws -> URL {
        switch source {
        case .bFrames:
            return try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("bframes.mp4"))
        case .variableRate:
            return try EditingOracle.makeVariableRateClip(at: folder.appendingPathComponent("vfr.mp4"))
        case .offsetStart:
            // A file whose first timestamp is 1.4 s: requests count from there.
            return try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("offset.mp4"), extra: ["-output_ts_offset", "1.4"])
        case .inBandParameterSets:
            // SPS/PPS repeated before every keyframe as well as in avcC, Main profile.
            return try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("inband.mp4"),
                                                   extra: ["-x264-params", "repeat-headers=1", "-profile:v", "main"])
        case .openGOPCorpus:
            return try TestMedia.corpusFile("mp4parser/v2.mp4")
        }
    }

    @Test(.needsFFmpeg, arguments: Source.available)
    func copyPresentsExactlyTheFramesInTheRange(_ kind: Source) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.make(kind, in: folder)
        let output = folder.appendingPathComponent("cut.mp4")
        let (start, end) = (1.3, 3.1)
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: start, end: end, mode: .copy))

        let expected = try EditingOracle.frames(source).filter { $0.time >= start - 1e-6 && $0.time < end - 1e-6 }
        let presented = try EditingOracle.frames(output)
        #expect(!expected.isEmpty)
        #expect(presented.map(\.md5) == expected.map(\.md5))
        #expect(result.actual.frames == expected.count)
        #expect(abs(result.actual.start - (expected.first?.time ?? -1)) < 1e-3)
        #expect(result.mode == .copy)
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg) func audioFollowsTheCopiedRange() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("av.mp4"))
        let output = folder.appendingPathComponent("cut.mp4")
        _ = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.8, end: 2.8, mode: .copy))
        let video = try #require(try EditingOracle.streamDuration(output, kind: "v"))
        let audio = try #require(try EditingOracle.streamDuration(output, kind: "a"))
        // Whole AAC packets are copied: the sound runs at most one packet (21 ms) past the picture.
        #expect(abs(video - 2.0) < 0.041)
        #expect(audio >= 1.95 && audio < 2.1)
    }

    @Test(.needsFFmpeg) func containersWithoutEditListsStartAtTheKeyframeAndSaySo() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("src.mp4"), gop: 25)
        let output = folder.appendingPathComponent("cut.mkv")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 1.5, end: 2.5, mode: .copy))
        // The keyframe before 1.5 s is the one at 1.0 s.
        #expect(abs(result.actual.start - 1.0) < 1e-6)
        let presented = try EditingOracle.frames(output)
        #expect(presented.count == result.actual.frames)
        let sourceFrames = try EditingOracle.frames(source)
        let first = try #require(sourceFrames.firstIndex { abs($0.time - 1.0) < 1e-6 })
        #expect(presented.map(\.md5) == Array(sourceFrames[first..<(first + presented.count)]).map(\.md5))
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg, arguments: ClipMode.allCases)
    func extraAudioAndSubtitlesFollowTheRange(_ mode: ClipMode) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let subtitles = folder.appendingPathComponent("subs.srt")
        try Data("1\n00:00:00,500 --> 00:00:01,500\nfirst\n\n2\n00:00:02,000 --> 00:00:03,000\nsecond\n\n".utf8).write(to: subtitles)
        let source = folder.appendingPathComponent("tracks.mp4")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                              "-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-f", "lavfi", "-i", "sine=frequency=880:duration=4",
                              "-i", subtitles.path, "-map", "0", "-map", "1", "-map", "2", "-map", "3",
                              "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "mov_text", source.path])
        let output = folder.appendingPathComponent("cut.mp4")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 1.0, end: 2.6, mode: mode,
                                                  quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(result.warnings.isEmpty)
        let json = try TestMedia.ffprobeJSON(["-show_entries", "stream=codec_type", output.path])
        let kinds = (json["streams"] as? [[String: Any]] ?? []).compactMap { $0["codec_type"] as? String }
        #expect(kinds == ["video", "audio", "audio", "subtitle"])
        // Both cues overlap [1.0, 2.6): each is cut to the clip's range.
        let text = try TestMedia.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", output.path, "-map", "0:s:0", "-f", "srt", "-"]).stdout
        #expect(text.contains("00:00:00,000 --> 00:00:00,500\nfirst"))
        #expect(text.contains("00:00:01,000 --> 00:00:01,600\nsecond"))
        #expect(try EditingOracle.decodeErrors(output) == "")

        // Matroska cannot carry MP4 timed text: dropped, with a warning saying so.
        let matroska = folder.appendingPathComponent("cut.mkv")
        let moved = try Clipper.clip(ClipRequest(input: source.path, output: matroska.path, start: 1.0, end: 2.6, mode: mode,
                                                 quality: EncodingQuality(crf: 23, preset: "ultrafast")))
        #expect(moved.warnings.count == 1 && moved.warnings.first?.contains("subtitle") == true)
    }

    @Test(.needsFFmpeg) func attachmentsRideAlongInMatroskaOnly() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let note = folder.appendingPathComponent("note.txt")
        try Data("credits".utf8).write(to: note)
        let source = folder.appendingPathComponent("attached.mkv")
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3", "-c:v", "libx264", "-preset", "ultrafast",
                              "-attach", note.path, "-metadata:s:t", "mimetype=text/plain", source.path])
        let matroska = folder.appendingPathComponent("cut.mkv")
        let kept = try Clipper.clip(ClipRequest(input: source.path, output: matroska.path, start: 0.5, end: 2, mode: .copy))
        #expect(kept.warnings.isEmpty)
        let json = try TestMedia.ffprobeJSON(["-show_streams", matroska.path])
        let attachment = (json["streams"] as? [[String: Any]] ?? []).first { $0["codec_type"] as? String == "attachment" }
        #expect((attachment?["tags"] as? [String: Any])?["filename"] as? String == "note.txt")
        let mp4 = folder.appendingPathComponent("cut.mp4")
        let dropped = try Clipper.clip(ClipRequest(input: source.path, output: mp4.path, start: 0.5, end: 2, mode: .copy))
        #expect(dropped.warnings.count == 1 && dropped.warnings.first?.contains("attachment") == true)
    }
}
