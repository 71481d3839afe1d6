import CFFmpeg

/// What to encode video with.
public struct VideoEncoderSettings: Sendable, Hashable {
    /// libav encoder name: "libx264", "mjpeg", "png", ...
    public var codecName: String
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    /// Time base of the frames' timestamps (usually 1/fps or the source stream's).
    public var timeBase: Rational
    /// Nominal frame rate, when known (x264 uses it for rate control).
    public var frameRate: Rational?
    public var sampleAspectRatio: Rational = Rational(1, 1)
    /// Keyframe interval in frames, nil for the encoder's default.
    public var gopSize: Int?
    /// Maximum consecutive B-frames, nil for the encoder's default.
    public var maxBFrames: Int?
    /// Target bit rate, nil for quality-based modes such as x264's CRF.
    public var bitRate: Int64?
    /// Fixed quality for MJPEG-style encoders (`qscale`, 2 best .. 31 worst).
    public var quantizer: Int?
    /// Private encoder options, e.g. `["crf": "18", "preset": "veryfast"]`.
    public var options: [String: String] = [:]
    /// Colour description copied from the source; unspecified writes no tags.
    public var colorimetry: Colorimetry = .unspecified
    /// Encoder threads, 0 for one per core.
    public var threadCount: Int = 0
    /// Put parameter sets in extradata (`AV_CODEC_FLAG_GLOBAL_HEADER`), as MP4 and MKV need.
    public var globalHeader: Bool = false

    public init(codecName: String, width: Int, height: Int, pixelFormat: PixelFormat, timeBase: Rational) {
        self.codecName = codecName
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.timeBase = timeBase
    }
}

/// What to encode audio with.
public struct AudioEncoderSettings: Sendable, Hashable {
    /// libav encoder name, e.g. "aac".
    public var codecName: String
    public var sampleRate: Int
    public var channelLayout: ChannelLayout
    /// Sample format; nil picks the encoder's first supported one.
    public var sampleFormat: SampleFormat?
    public var bitRate: Int64 = 128_000
    public var globalHeader: Bool = false
    public var options: [String: String] = [:]

    public init(codecName: String, sampleRate: Int, channelLayout: ChannelLayout) {
        self.codecName = codecName
        self.sampleRate = sampleRate
        self.channelLayout = channelLayout
    }
}

/// An owned encoder (`AVCodecContext` opened with an encoder, freed with
/// `avcodec_free_context`). Send frames, receive packets; "needs more input"
/// and "end of stream" are states.
public final class Encoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    /// Opens a video encoder.
    /// - Throws: ``AVError`` if the encoder is missing from this FFmpeg or refuses the settings.
    public init(video settings: VideoEncoderSettings) throws(AVError) {
        let codec = try Encoder.findEncoder(settings.codecName)
        var contextPointer: UnsafeMutablePointer<AVCodecContext>? = try allocated(avcodec_alloc_context3(codec), "avcodec_alloc_context3")
        let context = contextPointer!
        var options = OptionDictionary(settings.options)
        defer { options.free() }
        do {
            context.pointee.width = Int32(settings.width)
            context.pointee.height = Int32(settings.height)
            context.pointee.pix_fmt = settings.pixelFormat.avValue
            context.pointee.time_base = settings.timeBase.avRational
            if let rate = settings.frameRate, rate.isValid { context.pointee.framerate = rate.avRational }
            context.pointee.sample_aspect_ratio = settings.sampleAspectRatio.avRational
            if let gop = settings.gopSize { context.pointee.gop_size = Int32(gop) }
            if let bFrames = settings.maxBFrames { context.pointee.max_b_frames = Int32(bFrames) }
            if let bitRate = settings.bitRate { context.pointee.bit_rate = bitRate }
            if let quantizer = settings.quantizer {
                context.pointee.flags |= AV_CODEC_FLAG_QSCALE
                context.pointee.global_quality = Int32(quantizer) * FF_QP2LAMBDA
                context.pointee.qmin = Int32(quantizer)
                context.pointee.qmax = Int32(quantizer)
            }
            context.pointee.color_range = settings.colorimetry.range.avValue
            context.pointee.color_primaries = settings.colorimetry.primaries.avValue
            context.pointee.color_trc = settings.colorimetry.transfer.avValue
            context.pointee.colorspace = settings.colorimetry.matrix.avValue
            context.pointee.thread_count = Int32(settings.threadCount)
            if settings.globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
            try check(avcodec_open2(context, codec, &options.pointer), "avcodec_open2(\(settings.codecName))")
        } catch {
            avcodec_free_context(&contextPointer)
            throw error
        }
        self.context = context
    }

    /// Opens an audio encoder.
    public init(audio settings: AudioEncoderSettings) throws(AVError) {
        let codec = try Encoder.findEncoder(settings.codecName)
        var contextPointer: UnsafeMutablePointer<AVCodecContext>? = try allocated(avcodec_alloc_context3(codec), "avcodec_alloc_context3")
        let context = contextPointer!
        var options = OptionDictionary(settings.options)
        defer { options.free() }
        do {
            context.pointee.sample_rate = Int32(settings.sampleRate)
            var layout = settings.channelLayout.makeAVLayout()
            defer { av_channel_layout_uninit(&layout) }
            try check(av_channel_layout_copy(&context.pointee.ch_layout, &layout), "av_channel_layout_copy")
            if let format = settings.sampleFormat {
                context.pointee.sample_fmt = format.avValue
            } else if let formats = codec.pointee.sample_fmts {
                context.pointee.sample_fmt = formats.pointee
            }
            context.pointee.bit_rate = settings.bitRate
            context.pointee.time_base = AVRational(num: 1, den: Int32(settings.sampleRate))
            if settings.globalHeader { context.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER }
            try check(avcodec_open2(context, codec, &options.pointer), "avcodec_open2(\(settings.codecName))")
        } catch {
            avcodec_free_context(&contextPointer)
            throw error
        }
        self.context = context
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&p)
    }

    private static func findEncoder(_ name: String) throws(AVError) -> UnsafePointer<AVCodec> {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw AVError(code: pixsim_averror(ENOSYS), operation: "avcodec_find_encoder_by_name",
                          message: "no encoder '\(name)' in this FFmpeg")
        }
        return codec
    }

    /// Whether this FFmpeg has an encoder of that name.
    public static func isAvailable(_ name: String) -> Bool { avcodec_find_encoder_by_name(name) != nil }

    /// The time base of frames sent and packets received.
    public var timeBase: Rational { Rational(context.pointee.time_base) }
    /// Samples per audio frame the encoder requires (0: any).
    public var frameSize: Int { Int(context.pointee.frame_size) }
    public var sampleFormat: SampleFormat { SampleFormat(rawValue: context.pointee.sample_fmt.rawValue) }
    public var sampleRate: Int { Int(context.pointee.sample_rate) }
    public var channelLayout: ChannelLayout { ChannelLayout(context.pointee.ch_layout) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: context.pointee.pix_fmt.rawValue) }
    /// Samples of priming the encoder adds before the first real sample.
    public var initialPadding: Int { Int(context.pointee.initial_padding) }

    /// Feeds one frame (`avcodec_send_frame`).
    /// - Returns: `.accepted`, or `.full` when packets must be received first.
    public func send(_ frame: Frame) throws(AVError) -> SendResult {
        let code = avcodec_send_frame(context, frame.pointer)
        if code == AVError.tryAgainCode { return .full }
        try check(code, "avcodec_send_frame")
        return .accepted
    }

    /// Signals the end of input so buffered packets come out.
    public func sendEndOfStream() throws(AVError) {
        let code = avcodec_send_frame(context, nil)
        if code == AVError.endOfFileCode { return }
        try check(code, "avcodec_send_frame")
    }

    /// Takes the next encoded packet (`avcodec_receive_packet`); its timestamps are in ``timeBase``.
    public func receive(into packet: Packet) throws(AVError) -> ReceiveResult {
        let code = avcodec_receive_packet(context, packet.pointer)
        if code == AVError.tryAgainCode { return .needsInput }
        if code == AVError.endOfFileCode { return .endOfStream }
        try check(code, "avcodec_receive_packet")
        packet.timeBase = timeBase
        return .frame
    }

    /// Sends a frame (or the end when nil) and hands every packet that is
    /// ready to `write`. Handles the `.full` state by draining first.
    public func encode(_ frame: Frame?, packet: Packet, write: (Packet) throws -> Void) throws {
        if let frame {
            while try send(frame) == .full { try drain(packet: packet, write: write) }
        } else {
            try sendEndOfStream()
        }
        try drain(packet: packet, write: write)
    }

    private func drain(packet: Packet, write: (Packet) throws -> Void) throws {
        while try receive(into: packet) == .frame {
            try write(packet)
            packet.unreference()
        }
    }
}

@available(*, unavailable, message: "An Encoder owns a codec context that must stay in one task.")
extension Encoder: Sendable {}
