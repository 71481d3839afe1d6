import CFFmpeg

/// A value copy of a stream's `AVCodecParameters`: everything known about its
/// codec without decoding. Plain data, so it crosses tasks freely.
public struct CodecParameters: Sendable, Hashable {
    public var kind: StreamKind
    public var codecID: CodecID
    /// Container-level four-character tag (`codec_tag`), 0 when none.
    public var codecTag: UInt32
    /// `profile`, `FF_PROFILE_UNKNOWN` (-99) when unknown.
    public var profile: Int32
    public var level: Int32
    public var bitRate: Int64
    public var extradataSize: Int
    // Video
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    public var sampleAspectRatio: Rational
    public var fieldOrder: FieldOrder
    /// Frames of reordering delay (`video_delay`, the decoder's `has_b_frames`).
    public var videoDelay: Int
    public var bitsPerRawSample: Int
    public var colorimetry: Colorimetry
    public var chromaLocation: Int32
    // Audio
    public var sampleFormat: SampleFormat
    public var sampleRate: Int
    public var channelLayout: ChannelLayout?
    public var frameSize: Int
    public var initialPadding: Int

    init(_ p: UnsafePointer<AVCodecParameters>) {
        let c = p.pointee
        kind = StreamKind(c.codec_type)
        codecID = CodecID(c.codec_id)
        codecTag = c.codec_tag
        profile = c.profile
        level = c.level
        bitRate = c.bit_rate
        extradataSize = Int(c.extradata_size)
        width = Int(c.width)
        height = Int(c.height)
        pixelFormat = kind == .video ? PixelFormat(rawValue: c.format) : .none
        sampleFormat = kind == .audio ? SampleFormat(rawValue: c.format) : .none
        sampleAspectRatio = Rational(c.sample_aspect_ratio)
        fieldOrder = FieldOrder(c.field_order)
        videoDelay = Int(c.video_delay)
        bitsPerRawSample = Int(c.bits_per_raw_sample)
        colorimetry = Colorimetry(range: c.color_range, primaries: c.color_primaries, transfer: c.color_trc, matrix: c.color_space)
        chromaLocation = Int32(c.chroma_location.rawValue)
        sampleRate = Int(c.sample_rate)
        channelLayout = c.ch_layout.nb_channels > 0 ? ChannelLayout(c.ch_layout) : nil
        frameSize = Int(c.frame_size)
        initialPadding = Int(c.initial_padding)
    }

    /// The container's four-character code (`codec_tag`) as text, e.g. "avc1", "vvc1"; nil when none.
    public var fourCC: String? {
        guard codecTag != 0 else { return nil }
        let bytes = (0..<4).map { UInt8((codecTag >> (8 * UInt32($0))) & 0xFF) }
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The codec's name for people: libav's name, or the container's
    /// four-character code when this libav does not know the codec (e.g. VVC in FFmpeg 5.1).
    public var codecName: String {
        if codecID == .none, let fourCC { return String(fourCC.filter { $0 != " " }) }
        return codecID.name
    }

    /// The codec's profile name (`avcodec_profile_name`), if known.
    /// libav's name for it, or the number when the codec's profiles have no names (VP8's "0").
    public var profileName: String? {
        codecID.profileName(profile) ?? (profile == FF_PROFILE_UNKNOWN ? nil : "\(profile)")
    }
}

/// Interlacing of a video stream (`AVFieldOrder`).
public enum FieldOrder: String, Sendable, Hashable, Codable {
    case unknown, progressive
    /// Top field first, coded and displayed.
    case tt
    case bb, tb, bt

    init(_ order: AVFieldOrder) {
        switch order {
        case AV_FIELD_PROGRESSIVE: self = .progressive
        case AV_FIELD_TT: self = .tt
        case AV_FIELD_BB: self = .bb
        case AV_FIELD_TB: self = .tb
        case AV_FIELD_BT: self = .bt
        default: self = .unknown
        }
    }

    /// Whether the pictures are interlaced.
    public var isInterlaced: Bool { self != .unknown && self != .progressive }
}
