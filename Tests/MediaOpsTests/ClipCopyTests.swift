import Foundation
import Testing
import MediaOps
import MediaTestSupport

/// `clip --mode copy`: the output presents exactly the source's frames in the
/// range, bit for bit, from B-frame, variable-rate and offset sources.
@Suite(.serialized) struct ClipCopyTests {
    enum Source: String, CaseIterable, Sendable {
        case bFrames, variableRate, offsetStart, openGOPCorpus
    }

    static func make(_ source: Source, in folder: URL) throws -> URL? {
        switch source {
        case .bFrames:
            return try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("bframes.mp4"))
        case .variableRate:
            return try EditingOracle.makeVariableRateClip(at: folder.appendingPathComponent("vfr.mp4"))
        case .offsetStart:
            // A file whose first timestamp is 1.4 s: requests count from there.
            return try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("offset.mp4"), extra: ["-output_ts_offset", "1.4"])
        case .openGOPCorpus:
            return TestMedia.corpusFile("mp4parser/v2.mp4")
        }
    }

    @Test(arguments: Source.allCases)
    func copyPresentsExactlyTheFramesInTheRange(_ kind: Source) throws {
        guard TestMedia.hasFFmpeg else { return }
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        guard let source = try Self.make(kind, in: folder) else { return }
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

    @Test func audioFollowsTheCopiedRange() throws {
        guard TestMedia.hasFFmpeg else { return }
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

    @Test func containersWithoutEditListsStartAtTheKeyframeAndSaySo() throws {
        guard TestMedia.hasFFmpeg else { return }
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
}
