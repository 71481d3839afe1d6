import CFFmpeg

/// An owned bitstream parser (`av_parser_init` / `av_parser_close`, with the
/// codec context it reports into). It reads picture parameters (size, pixel
/// format, field order, profile) from a packet's headers without decoding,
/// which costs microseconds where decoding a frame costs milliseconds.
public final class CodecParser {
    private let parser: UnsafeMutablePointer<AVCodecParserContext>
    private var context: UnsafeMutablePointer<AVCodecContext>?

    /// A parser for `stream`'s codec, primed with its extradata (e.g. avcC, hvcC);
    /// nil when libav has no parser for the codec.
    public init?(stream: MediaStream) throws(AVError) {
        let parameters = stream.pointer.pointee.codecpar!
        guard let parser = av_parser_init(Int32(parameters.pointee.codec_id.rawValue)) else { return nil }
        self.parser = parser
        context = avcodec_alloc_context3(nil)
        guard let context else { throw AVError(code: AVError.outOfMemoryCode, operation: "avcodec_alloc_context3") }
        try check(avcodec_parameters_to_context(context, parameters), "avcodec_parameters_to_context")
        // MP4/MKV packets are whole frames: report each at once instead of waiting for the next.
        parser.pointee.flags |= PARSER_FLAG_COMPLETE_FRAMES
    }

    deinit {
        av_parser_close(parser)
        avcodec_free_context(&context)
    }

    /// Parses one packet's headers (`av_parser_parse2`).
    /// - Returns: what the headers say, or nil if this packet did not tell the picture format.
    public func parse(_ packet: Packet) -> ParsedPicture? {
        guard let data = packet.pointer.pointee.data, packet.size > 0 else { return nil }
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputSize: Int32 = 0
        _ = av_parser_parse2(parser, context, &output, &outputSize, data, Int32(packet.size),
                             packet.pts, packet.dts, packet.position)
        let format = PixelFormat(rawValue: parser.pointee.format)
        guard format != .none, parser.pointee.width > 0, parser.pointee.height > 0, let context else { return nil }
        // Parsers give the plain YUV format; decoders name full-range video with the
        // "J" formats (yuvj420p, ...). Follow the decoders, as ffprobe reports those.
        var pixelFormat = format
        let isFullRange = context.pointee.color_range == AVCOL_RANGE_JPEG
        if isFullRange, let full = CodecParser.fullRangeFormats[format] { pixelFormat = full }
        return ParsedPicture(width: Int(parser.pointee.width), height: Int(parser.pointee.height), pixelFormat: pixelFormat,
                             fieldOrder: FieldOrder(parser.pointee.field_order),
                             profile: context.pointee.profile, level: context.pointee.level,
                             colorimetry: Colorimetry(range: context.pointee.color_range, primaries: context.pointee.color_primaries,
                                                      transfer: context.pointee.color_trc, matrix: context.pointee.colorspace))
    }

    private static let fullRangeFormats: [PixelFormat: PixelFormat] = [
        .yuv420p: .yuvj420p, .yuv422p: PixelFormat(AV_PIX_FMT_YUVJ422P), .yuv444p: PixelFormat(AV_PIX_FMT_YUVJ444P),
    ]
}

@available(*, unavailable, message: "A CodecParser owns libav objects that must stay in one task.")
extension CodecParser: Sendable {}

/// Picture parameters read from a bitstream's headers.
public struct ParsedPicture: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    public var fieldOrder: FieldOrder
    /// `FF_PROFILE_UNKNOWN` (-99) when the headers did not say.
    public var profile: Int32
    public var level: Int32
    public var colorimetry: Colorimetry
}

extension FieldOrder {
    var avValue: AVFieldOrder {
        switch self {
        case .unknown: AV_FIELD_UNKNOWN
        case .progressive: AV_FIELD_PROGRESSIVE
        case .tt: AV_FIELD_TT
        case .bb: AV_FIELD_BB
        case .tb: AV_FIELD_TB
        case .bt: AV_FIELD_BT
        }
    }
}

extension MediaStream {
    /// Records parsed picture parameters in the stream's codec parameters, where
    /// the container left them unset, so later steps (and stream info) see them.
    public func adopt(_ picture: ParsedPicture) {
        let parameters = pointer.pointee.codecpar!
        if parameters.pointee.width == 0 { parameters.pointee.width = Int32(picture.width) }
        if parameters.pointee.height == 0 { parameters.pointee.height = Int32(picture.height) }
        if parameters.pointee.format < 0 { parameters.pointee.format = picture.pixelFormat.rawValue }
        if parameters.pointee.field_order == AV_FIELD_UNKNOWN { parameters.pointee.field_order = picture.fieldOrder.avValue }
        if parameters.pointee.profile == FF_PROFILE_UNKNOWN { parameters.pointee.profile = picture.profile }
        if parameters.pointee.level == FF_LEVEL_UNKNOWN { parameters.pointee.level = picture.level }
        if parameters.pointee.color_range == AVCOL_RANGE_UNSPECIFIED {
            parameters.pointee.color_range = picture.colorimetry.range.avValue
        }
        if parameters.pointee.color_primaries == AVCOL_PRI_UNSPECIFIED {
            parameters.pointee.color_primaries = picture.colorimetry.primaries.avValue
        }
        if parameters.pointee.color_trc == AVCOL_TRC_UNSPECIFIED {
            parameters.pointee.color_trc = picture.colorimetry.transfer.avValue
        }
        if parameters.pointee.color_space == AVCOL_SPC_UNSPECIFIED {
            parameters.pointee.color_space = picture.colorimetry.matrix.avValue
        }
    }

    /// Records the picture parameters another opening of the same file learnt by decoding
    /// (`avformat_find_stream_info` on its first frames), so that this opening's stream info
    /// need not decode them again (``InputFile/findStreamInfo(withoutDecoding:)``). Every field
    /// a decoder reports is set, replacing what the container says, as that decoding replaced it.
    public func adopt(decoded parameters: CodecParameters) {
        let p = pointer.pointee.codecpar!
        p.pointee.width = Int32(parameters.width)
        p.pointee.height = Int32(parameters.height)
        p.pointee.format = parameters.pixelFormat.rawValue
        p.pointee.sample_aspect_ratio = parameters.sampleAspectRatio.avRational
        p.pointee.field_order = parameters.fieldOrder.avValue
        p.pointee.color_range = parameters.colorimetry.range.avValue
        p.pointee.color_primaries = parameters.colorimetry.primaries.avValue
        p.pointee.color_trc = parameters.colorimetry.transfer.avValue
        p.pointee.color_space = parameters.colorimetry.matrix.avValue
        p.pointee.chroma_location = AVChromaLocation(rawValue: UInt32(bitPattern: parameters.chromaLocation))
        p.pointee.video_delay = Int32(parameters.videoDelay)
        p.pointee.profile = parameters.profile
        p.pointee.level = parameters.level
        p.pointee.bits_per_raw_sample = Int32(parameters.bitsPerRawSample)
    }

    /// Sets the reordering delay (`video_delay`, what decoders call `has_b_frames`).
    public func setReorderDelay(_ frames: Int) {
        pointer.pointee.codecpar.pointee.video_delay = Int32(frames)
    }
}

extension InputFile {
    /// `avformat_find_stream_info`, told not to decode the pictures of
    /// `streams` (`skip_frame=all`) because their parameters are already known,
    /// e.g. from ``CodecParser``. It still fills durations, start times, bit
    /// rates and frame rates, and decodes audio headers.
    public func findStreamInfo(withoutDecoding streams: Set<Int>) throws(AVError) {
        let count = Int(context.pointee.nb_streams)
        var perStream: [OpaquePointer?] = (0..<count).map { index in
            var options = ["threads": "1"]
            if streams.contains(index) { options["skip_frame"] = "all" }
            return OptionDictionary(options).pointer
        }
        defer { for index in perStream.indices { av_dict_free(&perStream[index]) } }
        try check(avformat_find_stream_info(context, &perStream), "avformat_find_stream_info")
    }

    /// Returns to the first packet of the file (`av_seek_frame` backwards to time 0;
    /// a file starting later lands on its first packet; a file whose clock jumps goes to its
    /// first byte, as time 0 may name a later part too).
    public func seekToStart() throws(AVError) {
        if timelineWasJoined { return try seek(toByte: 0) }
        try check(av_seek_frame(context, -1, 0, AVSEEK_FLAG_BACKWARD), "av_seek_frame")
    }
}
