import CFFmpeg

/// A libav pixel format (`AVPixelFormat`), kept as its raw value so that an
/// unknown value from a newer libav is representable instead of a crash.
public struct PixelFormat: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ format: AVPixelFormat) { rawValue = format.rawValue }
    var avValue: AVPixelFormat { AVPixelFormat(rawValue: rawValue) }

    /// `AV_PIX_FMT_NONE`.
    public static let none = PixelFormat(AV_PIX_FMT_NONE)
    public static let yuv420p = PixelFormat(AV_PIX_FMT_YUV420P)
    public static let yuvj420p = PixelFormat(AV_PIX_FMT_YUVJ420P)
    public static let yuv422p = PixelFormat(AV_PIX_FMT_YUV422P)
    public static let yuv444p = PixelFormat(AV_PIX_FMT_YUV444P)
    public static let rgb24 = PixelFormat(AV_PIX_FMT_RGB24)
    public static let rgba = PixelFormat(AV_PIX_FMT_RGBA)
    public static let gray8 = PixelFormat(AV_PIX_FMT_GRAY8)

    /// Looks a format up by its libav name (`av_get_pix_fmt`), e.g. "yuv420p".
    public init?(name: String) {
        let value = av_get_pix_fmt(name)
        if value == AV_PIX_FMT_NONE { return nil }
        self.init(value)
    }

    /// libav's name (`av_get_pix_fmt_name`), or nil for `none`/unknown.
    public var name: String? {
        guard let cName = av_get_pix_fmt_name(avValue) else { return nil }
        return String(cString: cName)
    }

    /// Bits per sample of the first component (`AVPixFmtDescriptor.comp[0].depth`).
    public var bitDepth: Int? {
        guard let descriptor = av_pix_fmt_desc_get(avValue) else { return nil }
        return Int(descriptor.pointee.comp.0.depth)
    }

    /// Number of planes (`av_pix_fmt_count_planes`).
    public var planeCount: Int { max(0, Int(av_pix_fmt_count_planes(avValue))) }

    /// Log2 of the chroma subsampling, (horizontal, vertical).
    public var chromaShift: (x: Int, y: Int) {
        guard let descriptor = av_pix_fmt_desc_get(avValue) else { return (0, 0) }
        return (Int(descriptor.pointee.log2_chroma_w), Int(descriptor.pointee.log2_chroma_h))
    }

    public var description: String { name ?? "unknown(\(rawValue))" }
}

/// A libav audio sample format (`AVSampleFormat`).
public struct SampleFormat: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ format: AVSampleFormat) { rawValue = format.rawValue }
    var avValue: AVSampleFormat { AVSampleFormat(rawValue: rawValue) }

    public static let none = SampleFormat(AV_SAMPLE_FMT_NONE)
    public static let s16 = SampleFormat(AV_SAMPLE_FMT_S16)
    public static let float = SampleFormat(AV_SAMPLE_FMT_FLT)
    public static let floatPlanar = SampleFormat(AV_SAMPLE_FMT_FLTP)
    public static let s16Planar = SampleFormat(AV_SAMPLE_FMT_S16P)

    /// libav's name (`av_get_sample_fmt_name`).
    public var name: String? {
        guard let cName = av_get_sample_fmt_name(avValue) else { return nil }
        return String(cString: cName)
    }
    /// Bytes per sample (`av_get_bytes_per_sample`).
    public var bytesPerSample: Int { Int(av_get_bytes_per_sample(avValue)) }
    /// Whether each channel has its own plane (`av_sample_fmt_is_planar`).
    public var isPlanar: Bool { av_sample_fmt_is_planar(avValue) != 0 }

    public var description: String { name ?? "unknown(\(rawValue))" }
}

/// An audio channel layout (`AVChannelLayout`, FFmpeg 5.1's new API), as a value.
public struct ChannelLayout: Sendable, Hashable, CustomStringConvertible {
    /// Number of channels.
    public let channelCount: Int
    /// `av_channel_layout_describe`, e.g. "stereo", "5.1", "2 channels".
    public let name: String

    /// The default layout for a channel count (`av_channel_layout_default`).
    public init(defaultFor channels: Int) {
        var layout = AVChannelLayout()
        av_channel_layout_default(&layout, Int32(channels))
        self.init(layout)
        av_channel_layout_uninit(&layout)
    }

    init(_ layout: AVChannelLayout) {
        var copy = layout
        channelCount = Int(layout.nb_channels)
        var buffer = [CChar](repeating: 0, count: 128)
        if av_channel_layout_describe(&copy, &buffer, buffer.count) >= 0 {
            name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        } else {
            name = "\(channelCount) channels"
        }
    }

    /// Fills a libav layout from this value (by its description, else the default for the count).
    func makeAVLayout() -> AVChannelLayout {
        var layout = AVChannelLayout()
        if av_channel_layout_from_string(&layout, name) < 0 || layout.nb_channels != Int32(channelCount) {
            av_channel_layout_uninit(&layout)
            av_channel_layout_default(&layout, Int32(channelCount))
        }
        return layout
    }

    public var description: String { name }
}
