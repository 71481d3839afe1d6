import Foundation
import MediaTestSupport
import Testing
@testable import LibAV

@Suite("LibAV encoding, muxing, scaling, resampling")
struct LibAVEncodingTests {
    /// Encodes `count` frames of a moving gradient with libx264 into an MP4.
    static func encodeGradientClip(to path: String, count: Int, width: Int = 160, height: Int = 120, rotation: Int = 0) throws {
        let output = try OutputFile(path: path)
        var settings = VideoEncoderSettings(codecName: "libx264", width: width, height: height, pixelFormat: .yuv420p, timeBase: Rational(1, 25))
        settings.frameRate = Rational(25, 1)
        settings.options = ["preset": "ultrafast", "crf": "20"]
        settings.globalHeader = output.needsGlobalHeader
        let encoder = try Encoder(video: settings)
        let streamIndex = try output.addStream(encoder: encoder)
        try output.setRotation(stream: streamIndex, clockwiseDegrees: rotation)
        try output.writeHeader(options: ["movflags": "+faststart"])
        let frame = try Frame(width: width, height: height, pixelFormat: .yuv420p)
        let packet = try Packet()
        let write: (Packet) throws -> Void = { packet in try output.write(packet, from: encoder.timeBase, toStream: streamIndex) }
        for index in 0..<count {
            try frame.makeWritable()
            frame.withUnsafeMutablePlane(0, rows: height) { buffer, lineSize in
                for y in 0..<height { for x in 0..<width { buffer[y * lineSize + x] = UInt8((x + y + index * 3) & 0xFF) } }
            }
            for plane in 1...2 {
                frame.withUnsafeMutablePlane(plane, rows: height / 2) { buffer, _ in
                    for i in 0..<buffer.count { buffer[i] = 128 }
                }
            }
            frame.pts = Int64(index)
            try encoder.encode(frame, packet: packet, write: write)
        }
        try encoder.encode(nil, packet: packet, write: write)
        try output.finish()
    }

    @Test("an encoded MP4 has the frames, size and rotation that were asked for", .needsFFmpeg)
    func encodesAndMuxes() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("gradient.mp4").path
        try Self.encodeGradientClip(to: path, count: 30, rotation: 90)

        #expect(try TestMedia.packetCount(URL(fileURLWithPath: path)) == 30)
        let json = try TestMedia.ffprobeJSON(["-show_streams", "-show_format", path])
        let stream = try #require((json["streams"] as? [[String: Any]])?.first)
        #expect(stream["codec_name"] as? String == "h264")
        #expect(stream["width"] as? Int == 160)
        #expect(stream["avg_frame_rate"] as? String == "25/1")
        let rotation = (stream["side_data_list"] as? [[String: Any]])?.compactMap { $0["rotation"] as? Int }.first
        #expect(rotation == -90)  // ffprobe prints the counter-clockwise angle

        let input = try InputFile(path: path)
        try input.findStreamInfo()
        #expect(input.bestStream(.video)?.rotation == 90)
        // Decodes cleanly: ffmpeg reports no errors.
        let check = try TestMedia.run("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        #expect(check.stderr.isEmpty)
    }

    @Test("stream copy keeps every packet byte for byte", .needsFFmpeg)
    func streamCopy() throws {
        let folder = try TestMedia.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try TestMedia.makeClip(at: folder.appendingPathComponent("source.mp4"), seconds: 1)
        let target = folder.appendingPathComponent("copy.mkv").path

        let input = try InputFile(path: source.path)
        try input.findStreamInfo()
        let output = try OutputFile(path: target)
        var mapping: [Int: Int] = [:]
        for stream in input.streams { mapping[stream.index] = try output.addStream(copying: stream) }
        try output.writeHeader()
        let packet = try Packet()
        while try input.read(into: packet) == .packet {
            try output.write(packet, from: input.streams[packet.streamIndex].timeBase, toStream: mapping[packet.streamIndex]!)
        }
        try output.finish()
        #expect(try TestMedia.frameMD5(source).map(\.md5) == (try TestMedia.frameMD5(URL(fileURLWithPath: target))).map(\.md5))
    }

    /// libswscale aborts the process (an assertion in sws_setColorspaceDetails) when asked to convert
    /// from a format it has no reader for: a stream whose decoder never reported its pixel format (an
    /// MP4 of mp4parser's whose H.264 has no usable parameter sets) reached it through a timeline.
    @Test("a pixel format libswscale cannot read or write is refused, not an abort")
    func unknownPixelFormatsAreRefused() throws {
        let unknown = #expect(throws: AVError.self) {
            try Scaler(sourceWidth: 320, sourceHeight: 240, sourceFormat: .none,
                       destinationWidth: 320, destinationHeight: 240, destinationFormat: .yuv420p)
        }
        #expect(unknown?.message.contains("unknown pixel format") == true, "\(String(describing: unknown))")
        #expect(unknown?.operation == "sws_getContext")
        #expect(throws: AVError.self) {
            try Scaler(sourceWidth: 320, sourceHeight: 240, sourceFormat: .yuv420p,
                       destinationWidth: 320, destinationHeight: 240, destinationFormat: .none)
        }
    }

    @Test("scaling a flat grey picture to gray8 keeps its level")
    func scales() throws {
        let source = try Frame(width: 64, height: 48, pixelFormat: .yuv420p)
        source.withUnsafeMutablePlane(0, rows: 48) { buffer, _ in for i in 0..<buffer.count { buffer[i] = 126 } }
        for plane in 1...2 { source.withUnsafeMutablePlane(plane, rows: 24) { buffer, _ in for i in 0..<buffer.count { buffer[i] = 128 } } }
        let scaler = try Scaler(sourceWidth: 64, sourceHeight: 48, sourceFormat: .yuv420p,
                                destinationWidth: 16, destinationHeight: 12, destinationFormat: .gray8, algorithm: .area)
        let target = try scaler.makeDestinationFrame()
        try scaler.scale(source, into: target)
        let pixels = target.copyPlane(0, bytesPerRow: 16, rows: 12)
        #expect(pixels.count == 192)
        // gray8 is full range: limited-range 126 maps to (126-16)*255/219 ≈ 128.
        #expect(pixels.allSatisfy { abs(Int($0) - 128) <= 2 })
    }

    @Test("resampling 48 kHz stereo to 44.1 kHz mono keeps the duration")
    func resamples() throws {
        let stereo = ChannelLayout(defaultFor: 2)
        let mono = ChannelLayout(defaultFor: 1)
        let resampler = try Resampler(inputRate: 48_000, inputFormat: .floatPlanar, inputLayout: stereo,
                                      outputRate: 44_100, outputFormat: .s16, outputLayout: mono)
        let input = try Frame(samples: 4800, format: .floatPlanar, layout: stereo, sampleRate: 48_000)
        let output = try Frame()
        var produced = 0
        for _ in 0..<10 {
            try resampler.convert(input, into: output)
            produced += output.sampleCount
        }
        try resampler.convert(nil, into: output)
        produced += output.sampleCount
        #expect(abs(produced - 44_100) <= 64)
        #expect(output.channelLayout.channelCount == 1)
    }

    @Test("SHA-256 through libavutil matches the standard test vector")
    func sha256() throws {
        let hasher = try SHA256Hasher()
        Array("abc".utf8).withUnsafeBytes { hasher.update($0) }
        #expect(hasher.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("rationals and timestamps compare and rescale exactly")
    func rationalTime() {
        #expect(Rational(1, 25) == Rational(2, 50))
        #expect(Rational(30000, 1001) < Rational(30, 1))
        let t = Timestamp(90_000, Rational(1, 90_000))
        #expect(t.seconds == 1)
        #expect(t.rescaled(to: Rational(1, 1000)).value == 1000)
        #expect(Timestamp(1, Rational(1, 25)) == Timestamp(40, Rational(1, 1000)))
        #expect(rescale(Timestamp.none, from: Rational(1, 25), to: Rational(1, 1000)) == Timestamp.none)
    }

    @Test("libav error texts come from av_strerror")
    func errorText() {
        let error = AVError(code: AVError.invalidDataCode, operation: "test")
        #expect(error.message == "Invalid data found when processing input")
        #expect(AVError(code: AVError.endOfFileCode, operation: "x").isEndOfFile)
    }
}
