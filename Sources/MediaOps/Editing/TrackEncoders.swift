import LibAV

/// Encodes pictures with libx264 for one output stream, converting them to a
/// pixel format x264 takes when the source's is not one.
final class VideoTrackEncoder {
    let encoder: Encoder
    private let converter: Scaler?
    private var converted: Frame?
    private let packet: Packet
    let outputIndex: Int
    /// Called with each encoded packet instead of writing it to the output, when set (smart cut heads).
    var packetSink: ((Packet) throws -> Void)?

    struct Picture: Sendable, Hashable {
        var width: Int
        var height: Int
        var pixelFormat: PixelFormat
        var sampleAspectRatio: Rational
        var timeBase: Rational
        var frameRate: Rational?
        var colorRange: Int32 = 0
        var colorPrimaries: Int32 = 2
        var colorTransfer: Int32 = 2
        var colorSpace: Int32 = 2
    }

    /// The x264 pixel format for `format`: itself when x264 takes it, else 8-bit 4:2:0.
    static func encodablePixelFormat(_ format: PixelFormat) -> PixelFormat {
        Encoder.supportedPixelFormats("libx264").contains(format) ? format : .yuv420p
    }

    /// - Parameters:
    ///   - picture: what the frames sent in look like (size, format, time base, colour).
    ///   - extraOptions: more libx264 options, e.g. `x264-params` for a smart cut head.
    ///   - output: the file the stream is added to (nil when `packetSink` takes the packets).
    init(picture: Picture, quality: EncodingQuality, output: OutputFile?, globalHeader: Bool,
         extraOptions: [String: String] = [:], maxBFrames: Int? = nil) throws(AVError) {
        let format = VideoTrackEncoder.encodablePixelFormat(picture.pixelFormat)
        var settings = VideoEncoderSettings(codecName: "libx264", width: picture.width, height: picture.height,
                                            pixelFormat: format, timeBase: picture.timeBase)
        settings.frameRate = picture.frameRate
        settings.sampleAspectRatio = picture.sampleAspectRatio.isValid ? picture.sampleAspectRatio : Rational(1, 1)
        settings.colorRange = picture.colorRange
        settings.colorPrimaries = picture.colorPrimaries
        settings.colorTransfer = picture.colorTransfer
        settings.colorSpace = picture.colorSpace
        settings.globalHeader = globalHeader
        settings.maxBFrames = maxBFrames
        settings.options = ["crf": String(quality.crf), "preset": quality.preset].merging(extraOptions) { $1 }
        encoder = try Encoder(video: settings)
        if format != picture.pixelFormat {
            converter = try Scaler(sourceWidth: picture.width, sourceHeight: picture.height, sourceFormat: picture.pixelFormat,
                                   destinationWidth: picture.width, destinationHeight: picture.height, destinationFormat: format,
                                   algorithm: .bicubic)
        } else {
            converter = nil
        }
        packet = try Packet()
        outputIndex = try output?.addStream(encoder: encoder) ?? -1
    }

    /// Encodes `frame` with presentation time `pts` (in the picture time base).
    func encode(_ frame: Frame, pts: Int64, output: OutputFile?) throws {
        var picture = frame
        if let converter {
            if converted == nil { converted = try converter.makeDestinationFrame() }
            try converter.scale(frame, into: converted!)
            try converted!.copyProperties(from: frame)
            picture = converted!
        }
        picture.pts = pts
        picture.clearPictureType()
        try encoder.encode(picture, packet: packet) { try self.deliver($0, output: output) }
    }

    /// Drains the encoder.
    func finish(output: OutputFile?) throws {
        try encoder.encode(nil, packet: packet) { try self.deliver($0, output: output) }
    }

    private func deliver(_ packet: Packet, output: OutputFile?) throws {
        if let packetSink { try packetSink(packet); return }
        guard let output else { return }
        try output.write(packet, from: encoder.timeBase, toStream: outputIndex)
    }
}

@available(*, unavailable, message: "A VideoTrackEncoder owns libav objects that must stay in one task.")
extension VideoTrackEncoder: Sendable {}

/// Encodes audio to AAC for one output stream from decoded frames of any
/// format, rate and layout, counting samples so that the track can be cut or
/// padded to an exact length (sample-accurate trims, silence for inputs without sound).
final class AudioTrackEncoder {
    let encoder: Encoder
    let fifo: AudioFIFO
    let outputIndex: Int
    let sampleRate: Int
    let layout: ChannelLayout
    private var resampler: Resampler?
    private var resamplerInput: (rate: Int, format: SampleFormat, layout: ChannelLayout)?
    private let resampled: Frame
    private let packet: Packet
    /// Samples handed to the encoder so far: the next frame's pts.
    private(set) var encodedSamples: Int64 = 0
    /// Samples appended so far (encoded plus waiting).
    var appendedSamples: Int64 { encodedSamples + Int64(fifo.count) }

    /// AAC's sampling frequencies (ISO/IEC 14496-3 table 1.18).
    static let aacRates: Set<Int> = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]

    init(output: OutputFile, sampleRate: Int, layout: ChannelLayout, bitRate: Int64? = nil) throws(AVError) {
        let rate = AudioTrackEncoder.aacRates.contains(sampleRate) ? sampleRate : 48000
        let channels = min(max(layout.channelCount, 1), 8)
        let encoderLayout = channels == layout.channelCount ? layout : ChannelLayout(defaultFor: channels)
        var settings = AudioEncoderSettings(codecName: "aac", sampleRate: rate, channelLayout: encoderLayout)
        settings.bitRate = bitRate ?? Int64(min(channels, 2)) * 96_000
        settings.globalHeader = output.needsGlobalHeader
        encoder = try Encoder(audio: settings)
        fifo = try AudioFIFO(format: encoder.sampleFormat, layout: encoderLayout, sampleRate: rate)
        outputIndex = try output.addStream(encoder: encoder)
        self.sampleRate = rate
        self.layout = encoderLayout
        resampled = try Frame()
        packet = try Packet()
    }

    /// Converts `frame` and queues its samples, dropping the first `skipping`
    /// samples (counted at the frame's own rate).
    func append(_ frame: Frame, skipping: Int = 0) throws(AVError) {
        guard frame.sampleCount > skipping else { return }
        let input = (frame.sampleRate, frame.sampleFormat, frame.channelLayout)
        if resampler == nil || resamplerInput.map({ $0.rate != input.0 || $0.format != input.1 || $0.layout != input.2 }) ?? true {
            resampler = try Resampler(inputRate: input.0, inputFormat: input.1, inputLayout: input.2,
                                      outputRate: sampleRate, outputFormat: encoder.sampleFormat, outputLayout: layout)
            resamplerInput = input
        }
        try resampler!.convert(frame, into: resampled)
        guard skipping > 0 else { try fifo.write(resampled); return }
        // Drop the head through a scratch queue: the main one may hold earlier samples.
        let skipOut = Int((Int64(skipping) * Int64(sampleRate) + Int64(frame.sampleRate) / 2) / Int64(max(1, frame.sampleRate)))
        let scratch = try AudioFIFO(format: fifo.format, layout: layout, sampleRate: sampleRate)
        try scratch.write(resampled)
        try scratch.discard(samples: skipOut)
        if scratch.count > 0 { try fifo.write(try scratch.read(samples: scratch.count)) }
    }

    /// Queues `samples` samples of silence.
    func appendSilence(samples: Int64) throws(AVError) {
        if samples > 0 { try fifo.writeSilence(samples: Int(samples)) }
    }

    /// Drops queued samples beyond `total` (counting those already encoded), so a
    /// track segment ends exactly where its picture does.
    func truncate(toTotal total: Int64) throws(AVError) {
        let keep = total - encodedSamples
        guard keep < Int64(fifo.count) else { return }
        let queued = try fifo.read(samples: fifo.count)
        guard keep > 0 else { return }
        queued.sampleCount = Int(keep)
        try fifo.write(queued)
    }

    /// Encodes whole frames while the total stays within `limit` samples.
    func encodeAvailable(upTo limit: Int64, output: OutputFile) throws {
        let size = max(encoder.frameSize, 1024)
        while fifo.count >= size && encodedSamples + Int64(size) <= limit {
            try encodeFrame(samples: size, output: output)
        }
    }

    /// Pads with silence or cuts to exactly `total` samples, encodes the rest and drains the encoder.
    func finish(totalSamples total: Int64, output: OutputFile) throws {
        if appendedSamples < total { try appendSilence(samples: total - appendedSamples) }
        let size = max(encoder.frameSize, 1024)
        while encodedSamples < total && fifo.count > 0 {
            try encodeFrame(samples: Int(min(Int64(size), total - encodedSamples)), output: output)
        }
        try encoder.encode(nil, packet: packet) { try output.write($0, from: self.encoder.timeBase, toStream: self.outputIndex) }
    }

    private func encodeFrame(samples: Int, output: OutputFile) throws {
        let frame = try fifo.read(samples: samples)
        frame.pts = encodedSamples
        encodedSamples += Int64(frame.sampleCount)
        try encoder.encode(frame, packet: packet) { try output.write($0, from: self.encoder.timeBase, toStream: self.outputIndex) }
    }
}

@available(*, unavailable, message: "An AudioTrackEncoder owns libav objects that must stay in one task.")
extension AudioTrackEncoder: Sendable {}
