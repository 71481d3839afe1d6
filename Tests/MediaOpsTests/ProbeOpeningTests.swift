import Foundation
import LibAV
@testable import MediaOps
import MediaTestSupport
import Testing

/// One `segments` run opens its file several times (the probe, the pass, every chunk worker).
/// Stream info decodes the first pictures of a stream no parser describes (VP9's parser tells
/// only the frame type); the later openings adopt what the first found instead of decoding
/// again, and must then describe the streams exactly as an opening afresh does.
@Suite("Opening a file again", .serialized)
struct ProbeOpeningTests {
    /// Everything an analysis reads from an opened file's streams.
    struct Described: Equatable {
        var parameters: [CodecParameters]
        var timing: [String]

        init(_ input: InputFile) {
            parameters = input.streams.map(\.parameters)
            timing = input.streams.map { stream in
                "\(stream.timeBase) \(stream.averageFrameRate) \(stream.realFrameRate) \(stream.startTime ?? -1) \(stream.duration ?? -1)"
            } + ["\(input.startTime ?? -1) \(input.duration ?? -1)"]
        }
    }

    static func make(_ name: String, _ arguments: [String]) throws -> URL {
        let folder = try TestMedia.makeTemporaryDirectory("probe-opening")
        let url = folder.appendingPathComponent(name)
        try TestMedia.ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=1", "-f", "lavfi", "-i", "sine=d=1"] + arguments + [url.path])
        return url
    }

    /// `known` with the picture format of every stream it describes changed to one the file does not have.
    static func misdescribed(_ known: MediaProbe.DecodedStreamInfo) throws -> MediaProbe.DecodedStreamInfo {
        let other = try #require(PixelFormat(name: "yuv444p"))
        return MediaProbe.DecodedStreamInfo(codecs: known.codecs, pictures: known.pictures.mapValues { parameters in
            var changed = parameters
            changed.pixelFormat = other
            return changed
        })
    }

    @Test("VP9 in WebM: the second opening adopts what the first decoded, and describes the streams as afresh", .needsFFmpeg)
    func vp9WebM() throws {
        let url = try Self.make("vp9.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-color_range", "pc",
                                             "-c:a", "libopus"])
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let first = try MediaProbe.openDescribed(url.path)
        let video = try #require(first.input.bestStream(.video))
        // The VP9 stream's pictures were decoded (no parser told their format), and that is what is handed on.
        #expect(Array(first.decoded.pictures.keys) == [video.index])
        #expect(first.decoded.pictures[video.index]?.pixelFormat == PixelFormat(name: "yuv420p"))
        let again = try MediaProbe.openDescribed(url.path, knowing: first.decoded)
        #expect(Described(again.input) == Described(first.input))
        #expect(Described(again.input) == Described(try MediaProbe.openDescribed(url.path).input))
        // What is adopted is taken as it is, not found again by decoding (a wrong picture format stays):
        // the adoption is what saves the decoding.
        let misled = try MediaProbe.openDescribed(url.path, knowing: try Self.misdescribed(first.decoded))
        #expect(misled.input.streams[video.index].parameters.pixelFormat == PixelFormat(name: "yuv444p"))
    }

    @Test("another file's description is not adopted: its streams differ", .needsFFmpeg)
    func otherFile() throws {
        let vp9 = try Self.make("vp9.webm", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"])
        let vp8 = try Self.make("vp8.webm", ["-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libvorbis"])
        defer {
            try? FileManager.default.removeItem(at: vp9.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: vp8.deletingLastPathComponent())
        }
        let known = try Self.misdescribed(try MediaProbe.openDescribed(vp9.path).decoded)
        let opened = try MediaProbe.openDescribed(vp8.path, knowing: known)
        #expect(Described(opened.input) == Described(try MediaProbe.openDescribed(vp8.path).input))
    }

    @Test("AVI decodes as before: without presentation times in its packets, stream info also times them by the decoder", .needsFFmpeg)
    func aviDecodesAsBefore() throws {
        let url = try Self.make("vp9.avi", ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "pcm_s16le"])
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let first = try MediaProbe.openDescribed(url.path)
        #expect(!first.decoded.pictures.isEmpty)
        let opened = try MediaProbe.openDescribed(url.path, knowing: try Self.misdescribed(first.decoded))
        #expect(Described(opened.input) == Described(first.input))
    }
}
