import CFFmpeg

/// How a ``Decoder`` should run. The defaults decode every frame exactly; the
/// analysis options trade picture quality nobody looks at for speed.
public struct DecoderOptions: Sendable, Hashable {
    /// Decoder threads; 0 lets libavcodec pick (for frame threads, one more than the cores).
    public var threadCount: Int = 0
    /// Frame threads add a frame of latency per thread but scale best; slice
    /// threads do not delay. Both by default.
    public var allowFrameThreads: Bool = true
    /// Skip the in-loop deblocking filter (`skip_loop_filter=all`): the
    /// pictures drift slightly from the true ones, which analysis tolerates.
    public var skipLoopFilter: Bool = false
    /// Decode only keyframes (`skip_frame=nokey`).
    public var keyframesOnly: Bool = false
    /// Allow non-spec-compliant speedups (`AV_CODEC_FLAG2_FAST`).
    public var fast: Bool = false

    public init() {}
}

/// An owned decoder (`AVCodecContext` opened with a decoder; freed with
/// `avcodec_free_context`). Feed packets with ``send(_:)``, take frames with
/// ``receive(into:)``; "needs more input" and "end of stream" are states.
public final class Decoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    /// The time base of the packets fed in and of the frames' timestamps.
    public let timeBase: Rational
    /// The stream index this decoder was made for.
    public let streamIndex: Int

    /// Makes and opens a decoder for `stream`.
    /// - Throws: ``AVError`` when libav has no decoder for the codec
    ///   (`AVERROR_DECODER_NOT_FOUND`, naming the codec) or cannot open it.
    public init(stream: MediaStream, options: DecoderOptions = DecoderOptions()) throws(AVError) {
        let parameters = stream.pointer.pointee.codecpar!
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
            throw AVError(code: AVError.decoderNotFoundCode, operation: "avcodec_find_decoder",
                          message: "no decoder for codec '\(name)' in this FFmpeg")
        }
        var contextPointer: UnsafeMutablePointer<AVCodecContext>? = try allocated(avcodec_alloc_context3(codec), "avcodec_alloc_context3")
        let context = contextPointer!
        do {
            try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context")
            context.pointee.pkt_timebase = stream.pointer.pointee.time_base
            context.pointee.thread_count = Int32(options.threadCount)
            context.pointee.thread_type = options.allowFrameThreads ? (FF_THREAD_FRAME | FF_THREAD_SLICE) : FF_THREAD_SLICE
            if options.skipLoopFilter { context.pointee.skip_loop_filter = AVDISCARD_ALL }
            if options.keyframesOnly { context.pointee.skip_frame = AVDISCARD_NONKEY }
            if options.fast { context.pointee.flags2 |= AV_CODEC_FLAG2_FAST }
            try check(avcodec_open2(context, codec, nil), "avcodec_open2")
        } catch {
            avcodec_free_context(&contextPointer)
            throw error
        }
        self.context = context
        self.timeBase = Rational(stream.pointer.pointee.time_base)
        self.streamIndex = stream.index
    }

    deinit {
        var p: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&p)
    }

    /// The codec's name, e.g. "h264".
    public var codecName: String { String(cString: context.pointee.codec.pointee.name) }
    public var width: Int { Int(context.pointee.width) }
    public var height: Int { Int(context.pointee.height) }
    public var pixelFormat: PixelFormat { PixelFormat(rawValue: context.pointee.pix_fmt.rawValue) }
    public var sampleRate: Int { Int(context.pointee.sample_rate) }
    public var sampleFormat: SampleFormat { SampleFormat(rawValue: context.pointee.sample_fmt.rawValue) }
    public var channelLayout: ChannelLayout { ChannelLayout(context.pointee.ch_layout) }
    /// Frames of reordering delay the decoder found (`has_b_frames`).
    public var reorderDelay: Int { Int(context.pointee.has_b_frames) }

    /// Feeds one packet (`avcodec_send_packet`).
    /// - Returns: `.accepted`, or `.full` when frames must be received first
    ///   (then send the same packet again).
    /// - Throws: ``AVError`` for invalid data or a decoder failure.
    public func send(_ packet: Packet) throws(AVError) -> SendResult {
        let code = avcodec_send_packet(context, packet.pointer)
        if code == AVError.tryAgainCode { return .full }
        if code == AVError.endOfFileCode { return .accepted }  // already drained: nothing more is taken
        try check(code, "avcodec_send_packet")
        return .accepted
    }

    /// Signals the end of input so buffered frames come out (`avcodec_send_packet(NULL)`).
    public func sendEndOfStream() throws(AVError) {
        let code = avcodec_send_packet(context, nil)
        if code == AVError.endOfFileCode || code == AVError.tryAgainCode { return }
        try check(code, "avcodec_send_packet")
    }

    /// Takes the next decoded frame (`avcodec_receive_frame`).
    /// - Returns: `.frame` with `frame` filled, `.needsInput`, or `.endOfStream`.
    public func receive(into frame: Frame) throws(AVError) -> ReceiveResult {
        let code = avcodec_receive_frame(context, frame.pointer)
        if code == AVError.tryAgainCode { return .needsInput }
        if code == AVError.endOfFileCode { return .endOfStream }
        try check(code, "avcodec_receive_frame")
        return .frame
    }

    /// Drops buffered state, after a seek (`avcodec_flush_buffers`).
    public func flush() { avcodec_flush_buffers(context) }

    /// Changes which frames are decoded at all (between keyframes-only and all frames).
    public func setKeyframesOnly(_ keyframesOnly: Bool) {
        context.pointee.skip_frame = keyframesOnly ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT
    }
}

@available(*, unavailable, message: "A Decoder owns a codec context that must stay in one task.")
extension Decoder: Sendable {}

/// The outcome of sending input to a codec.
public enum SendResult: Sendable, Equatable {
    case accepted
    /// `AVERROR(EAGAIN)`: receive output first, then send the same input again.
    case full
}

/// The outcome of receiving output from a codec.
public enum ReceiveResult: Sendable, Equatable {
    /// A frame or packet was produced.
    case frame
    /// `AVERROR(EAGAIN)`: send more input.
    case needsInput
    /// `AVERROR_EOF`: fully drained.
    case endOfStream
}
