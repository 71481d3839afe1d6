import Foundation
import MediaTestSupport
import Testing
@testable import LibAV

/// The decoders of other libraries behind the decoding contract (libvpx's for
/// VP9, dav1d driven directly for AV1), checked against ffmpeg's own decoding
/// (libavcodec's VP9 decoder, an implementation of its own; its dav1d
/// wrapper): with the loop filter on, the same pictures bit for bit; skipped,
/// pictures that differ a little and frames that are the same frames.
@Suite("LibAV's decoders of other libraries (libvpx, dav1d)")
struct LentPictureDecoderTests {
    static let width = 352, height = 288

    /// A codec whose analysis decoding goes to another library.
    enum Codec: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case vp9, av1

        var testDescription: String { rawValue }
        /// The name FrameReader reports for the library's decoder.
        var decoderName: String { self == .vp9 ? "libvpx-vp9" : "dav1d" }

        func makeDecoder(_ stream: MediaStream, _ options: DecoderOptions) throws -> any FrameDecoding {
            switch self {
            case .vp9: try VP9Decoder(stream: stream, options: options)
            case .av1: try AV1Decoder(stream: stream, options: options)
            }
        }

        /// Encoder arguments: a keyframe a second; VP9 with hidden alt-ref pictures (superframes).
        var encoding: [String] {
            switch self {
            case .vp9: ["-c:v", "libvpx-vp9", "-b:v", "400k", "-g", "25", "-auto-alt-ref", "1", "-lag-in-frames", "16",
                        "-deadline", "good", "-cpu-used", "5", "-pix_fmt", "yuv420p"]
            case .av1: ["-c:v", "libsvtav1", "-preset", "8", "-b:v", "400k", "-g", "25", "-pix_fmt", "yuv420p"]
            }
        }
    }

    /// A 2 s clip in `codec`, 25 fps, a keyframe a second.
    static func makeClip(_ codec: Codec, in folder: URL) throws -> URL {
        try TestMedia.makeClip(at: folder.appendingPathComponent("clip.webm"), seconds: 2, width: width, height: height, fps: 25, audio: false,
                               codec: codec.encoding)
    }

    /// ffmpeg's decode of `url`, every picture packed as yuv420p, one after the other.
    static func oraclePictures(_ url: URL, in folder: URL) throws -> [Data] {
        let raw = folder.appendingPathComponent(url.lastPathComponent + ".yuv")
        try TestMedia.ffmpeg(["-i", url.path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw.path])
        let data = try Data(contentsOf: raw)
        let size = width * height * 3 / 2
        return stride(from: 0, to: data.count, by: size).map { data.subdata(in: $0..<min($0 + size, data.count)) }
    }

    /// The picture of a decoded yuv420p frame, packed as ffmpeg's rawvideo packs it.
    static func packed(_ frame: Frame) -> Data {
        Data(frame.copyPlane(0, bytesPerRow: width, rows: height)
            + frame.copyPlane(1, bytesPerRow: width / 2, rows: height / 2)
            + frame.copyPlane(2, bytesPerRow: width / 2, rows: height / 2))
    }

    /// `url` opened, with its video stream.
    static func open(_ url: URL) throws -> (input: InputFile, stream: MediaStream) {
        let input = try InputFile(path: url.path)
        try input.findStreamInfo()
        return (input, try #require(input.bestStream(.video)))
    }

    /// Options for two threads, the loop filter skipped or not.
    static func options(skipLoopFilter: Bool) -> DecoderOptions {
        var options = DecoderOptions()
        options.threadCount = 2
        options.skipLoopFilter = skipLoopFilter
        return options
    }

    /// Decodes every frame of `url` with `codec`'s library; `seek` first when given.
    static func decode(_ codec: Codec, _ url: URL, options: DecoderOptions, seek: Int64? = nil)
        throws -> (pts: [Int64], keys: [Bool], pictures: [Data], reader: FrameReader) {
        let (input, stream) = try open(url)
        let reader = try FrameReader(input: input, stream: stream, decoder: try codec.makeDecoder(stream, options))
        if let seek { try reader.seek(toKeyframeBefore: seek) }
        var pts: [Int64] = [], keys: [Bool] = [], pictures: [Data] = []
        while let frame = try reader.nextFrame() {
            #expect(frame.pixelFormat == .yuv420p)
            #expect(frame.width == width && frame.height == height)
            pts.append(reader.presentationTimestamp(of: frame))
            keys.append(frame.isKeyframe)
            pictures.append(packed(frame))
        }
        return (pts, keys, pictures, reader)
    }

    @Test("with the loop filter on: ffmpeg's pictures bit for bit, its timestamps and keyframes, also after a seek",
          .needsFFmpeg, arguments: Codec.allCases)
    func samePicturesAsFFmpeg(codec: Codec) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeClip(codec, in: folder)
        let oracle = try Self.oraclePictures(url, in: folder)
        let frames = try LibAVDecodingTests.ffprobeFrames(url)
        #expect(oracle.count == 50)

        let decoded = try Self.decode(codec, url, options: Self.options(skipLoopFilter: false))
        #expect(decoded.pts == frames.map(\.pts))
        #expect(decoded.keys == frames.map(\.key))
        #expect(decoded.pictures == oracle)
        #expect(decoded.reader.damagedPackets == 0)
        #expect(decoded.reader.decoderName == codec.decoderName)

        // The second second starts at a keyframe: after seeking there, the decoder starts afresh.
        let second = try #require(frames.firstIndex { $0.key && $0.pts > 0 })
        let resumed = try Self.decode(codec, url, options: Self.options(skipLoopFilter: false), seek: frames[second].pts)
        #expect(resumed.pts == frames[second...].map(\.pts))
        #expect(resumed.pictures == Array(oracle[second...]))
    }

    @Test("keyframes only: the keyframes' pictures, bit for bit, and no other", .needsFFmpeg, arguments: Codec.allCases)
    func keyframesOnly(codec: Codec) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeClip(codec, in: folder)
        let oracle = try Self.oraclePictures(url, in: folder)
        let frames = try LibAVDecodingTests.ffprobeFrames(url)
        var options = DecoderOptions()
        options.keyframesOnly = true
        let decoded = try Self.decode(codec, url, options: options)
        let keys = frames.indices.filter { frames[$0].key }
        #expect(keys.count == 2)
        #expect(decoded.pts == keys.map { frames[$0].pts })
        #expect(decoded.pictures == keys.map { oracle[$0] })
    }

    @Test("the analysis reads through the library with the loop filter skipped: the same frames, pictures a little off",
          .needsFFmpeg, arguments: Codec.allCases)
    func skipsTheLoopFilter(codec: Codec) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeClip(codec, in: folder)
        let oracle = try Self.oraclePictures(url, in: folder)

        // What the analysis asks for picks the library on its own.
        let (input, stream) = try Self.open(url)
        #expect(try FrameReader(input: input, stream: stream, options: Self.options(skipLoopFilter: true)).decoderName == codec.decoderName)

        let decoded = try Self.decode(codec, url, options: Self.options(skipLoopFilter: true))
        #expect(decoded.pictures.count == oracle.count)
        let changed = zip(decoded.pictures, oracle).filter { $0 != $1 }.count
        #expect(changed > 0, "the loop filter was not skipped")
        // Off by little: the mean luma difference of every picture under two levels.
        for (picture, exact) in zip(decoded.pictures, oracle) {
            let luma = Self.width * Self.height
            let difference = zip(picture.prefix(luma), exact.prefix(luma)).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
            #expect(Double(difference) / Double(luma) < 2)
        }
    }

    @Test("given the end right after the last packet, it still gives every picture",
          .needsFFmpeg, arguments: Codec.allCases)
    func drainsAfterTheLastPacket(codec: Codec) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Self.makeClip(codec, in: folder)
        let (input, stream) = try Self.open(url)
        let decoder = try codec.makeDecoder(stream, Self.options(skipLoopFilter: true))
        var packets: [Packet] = []
        while true {
            let packet = try Packet()
            guard try input.read(into: packet) == .packet else { break }
            packets.append(packet)
        }
        let frame = try Frame()
        var pictures = 0
        // Every picture ready is taken after each packet but the last: the end follows it directly,
        // while the decoder may still be working on the pictures before.
        for (index, packet) in packets.enumerated() {
            while try decoder.send(packet) == .full {
                if try decoder.receive(into: frame) == .frame { pictures += 1 }
            }
            guard index < packets.count - 1 else { break }
            while try decoder.receive(into: frame) == .frame { pictures += 1 }
        }
        try decoder.sendEndOfStream()
        while true {
            let result = try decoder.receive(into: frame)
            if result == .endOfStream { break }
            try #require(result == .frame, "needs input after the end")
            pictures += 1
        }
        #expect(pictures == 50)
    }

    @Test("a damaged packet is skipped and counted, and the next keyframe decodes exactly", .needsFFmpeg, arguments: Codec.allCases)
    func damagedPacket(codec: Codec) throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let webm = try Self.makeClip(codec, in: folder)
        let oracle = try Self.oraclePictures(webm, in: folder)
        // IVF stores each packet's bytes as they are, after a 12-byte header where ffprobe's positions point.
        let ivf = folder.appendingPathComponent("clip.ivf")
        try TestMedia.ffmpeg(["-i", webm.path, "-c", "copy", ivf.path])
        let packets = (try TestMedia.ffprobeJSON(["-select_streams", "v:0", "-show_entries", "packet=pos,size,flags", "-show_packets", ivf.path])["packets"]
            as? [[String: Any]] ?? [])
        let damaged = packets[10]
        var bytes = try Data(contentsOf: ivf)
        let position = try #require(Int(damaged["pos"] as? String ?? "")) + 12, size = try #require(Int(damaged["size"] as? String ?? ""))
        // A VP9 frame starts with the marker bits 10, an AV1 unit with a zero bit: all ones is neither.
        bytes.replaceSubrange(position..<(position + size), with: Data(repeating: 0xFF, count: size))
        try bytes.write(to: ivf)

        let decoded = try Self.decode(codec, ivf, options: Self.options(skipLoopFilter: false))
        #expect(decoded.reader.damagedPackets >= 1)
        #expect(decoded.reader.firstDamage?.isInvalidData == true)
        #expect(decoded.reader.firstDamage?.description.contains(codec == .vp9 ? "libvpx" : "dav1d") == true)
        // From the second second's keyframe on, nothing of the damage is left.
        #expect(Array(decoded.pictures.suffix(25)) == Array(oracle.suffix(25)))
    }
}
