import Foundation
import Testing
import MediaOps
import MediaTestSupport

/// `clip --mode smart`: frames from the first keyframe on are the source's bit
/// for bit, the re-encoded head is close to the source, the whole decodes
/// without a single error, and unsupported sources fall back to exact and say so.
@Suite(.serialized) struct ClipSmartTests {
    @Test(.needsFFmpeg, arguments: ClipCopyTests.Source.available)
    func smartCopiesFromTheFirstKeyframeBitForBit(_ kind: ClipCopyTests.Source) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try ClipCopyTests.make(kind, in: folder)
        let output = folder.appendingPathComponent("smart.mp4")
        let (start, end) = (1.3, 3.3)
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: start, end: end, mode: .smart,
                                                  quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        #expect(result.mode == .smart)
        #expect(result.fallback == nil)
        #expect(try EditingOracle.decodeErrors(output) == "")

        let sourceFrames = try EditingOracle.frames(source)
        let expected = sourceFrames.filter { $0.time >= start - 1e-6 && $0.time < end - 1e-6 }
        let presented = try EditingOracle.frames(output)
        #expect(presented.count == expected.count)
        #expect(result.actual.frames == expected.count)
        // The keyframe the copy starts from: the first in the range, by ffprobe.
        let keyTimes = try keyframeTimes(source)
        let join = try #require(keyTimes.first { $0 >= start - 1e-6 && $0 < end })
        let copiedExpected = expected.filter { $0.time >= join - 1e-6 }
        #expect(!copiedExpected.isEmpty)
        #expect(Array(presented.suffix(copiedExpected.count)).map(\.md5) == copiedExpected.map(\.md5))
        let headCount = expected.count - copiedExpected.count
        #expect(headCount > 0)
        let firstIndex = try #require(sourceFrames.firstIndex { $0.time >= start - 1e-6 })
        #expect(try EditingOracle.psnr(output, against: source, firstFrame: firstIndex, count: headCount) >= 35)
        if kind == .bFrames || kind == .inBandParameterSets {
            // A constant-rate source stays constant-rate across the seam: one decoding-time step throughout.
            let steps = try decodingTimeSteps(output)
            #expect(steps.count == 1)
        }
    }

    /// The distinct differences between consecutive video decoding times.
    private func decodingTimeSteps(_ url: URL) throws -> Set<Int> {
        let probe = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts", "-of", "csv=p=0", url.path])
        let times = probe.stdout.split(separator: "\n").compactMap { Int($0) }
        return Set(zip(times.dropFirst(), times).map { $0 - $1 })
    }

    @Test(.needsFFmpeg) func unsupportedCodecsFallBackToExactAndSaySo() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("mpeg4.mp4"), seconds: 3, audio: false,
                                            codec: ["-c:v", "mpeg4", "-q:v", "3", "-g", "25"])
        let output = folder.appendingPathComponent("smart.mp4")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.5, end: 2.0, mode: .smart,
                                                  quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        #expect(result.mode == .exact)
        #expect(result.fallback?.contains("H.264") == true)
        #expect(try EditingOracle.frames(output).count == 37)
        #expect(try EditingOracle.decodeErrors(output) == "")
    }

    @Test(.needsFFmpeg) func aRangeWithoutAKeyframeIsReencodedWhole() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try EditingOracle.makeBFrameClip(at: folder.appendingPathComponent("gop.mp4"), seconds: 3, gop: 50, audio: false)
        let output = folder.appendingPathComponent("smart.mp4")
        let result = try Clipper.clip(ClipRequest(input: source.path, output: output.path, start: 0.2, end: 1.6, mode: .smart,
                                                  quality: EncodingQuality(crf: 18, preset: "ultrafast")))
        #expect(result.mode == .exact)
        #expect(result.fallback != nil)
        #expect(result.actual.frames == 35)
    }

    /// Presentation times of the video's keyframes.
    private func keyframeTimes(_ url: URL) throws -> [Double] {
        let start = try EditingOracle.startTime(url)
        let probe = try TestMedia.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
                                                  "-of", "csv=p=0", url.path])
        return probe.stdout.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count >= 2, fields[1].hasPrefix("K"), let time = Double(fields[0]) else { return nil }
            return time - start
        }.sorted()
    }
}
