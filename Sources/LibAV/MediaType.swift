import CFFmpeg

/// What a stream carries (`AVMediaType`).
public enum StreamKind: String, Sendable, Codable, Hashable {
    case video, audio, subtitle, data, attachment, unknown

    init(_ type: AVMediaType) {
        switch type {
        case AVMEDIA_TYPE_VIDEO: self = .video
        case AVMEDIA_TYPE_AUDIO: self = .audio
        case AVMEDIA_TYPE_SUBTITLE: self = .subtitle
        case AVMEDIA_TYPE_DATA: self = .data
        case AVMEDIA_TYPE_ATTACHMENT: self = .attachment
        default: self = .unknown
        }
    }

    var avValue: AVMediaType {
        switch self {
        case .video: AVMEDIA_TYPE_VIDEO
        case .audio: AVMEDIA_TYPE_AUDIO
        case .subtitle: AVMEDIA_TYPE_SUBTITLE
        case .data: AVMEDIA_TYPE_DATA
        case .attachment: AVMEDIA_TYPE_ATTACHMENT
        case .unknown: AVMEDIA_TYPE_UNKNOWN
        }
    }
}

/// A codec identifier (`AVCodecID`) with its libav name; raw value kept so an
/// unknown id is representable.
public struct CodecID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    init(_ id: AVCodecID) { rawValue = id.rawValue }
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    var avValue: AVCodecID { AVCodecID(rawValue: rawValue) }

    public static let none = CodecID(AV_CODEC_ID_NONE)
    public static let h264 = CodecID(AV_CODEC_ID_H264)
    public static let hevc = CodecID(AV_CODEC_ID_HEVC)
    public static let vp9 = CodecID(AV_CODEC_ID_VP9)
    public static let av1 = CodecID(AV_CODEC_ID_AV1)
    public static let opus = CodecID(AV_CODEC_ID_OPUS)
    public static let aac = CodecID(AV_CODEC_ID_AAC)
    public static let mjpeg = CodecID(AV_CODEC_ID_MJPEG)
    public static let png = CodecID(AV_CODEC_ID_PNG)

    /// `avcodec_get_name`, e.g. "h264".
    public var name: String { String(cString: avcodec_get_name(avValue)) }
    /// Whether this libav has a decoder for it (`avcodec_find_decoder`).
    public var hasDecoder: Bool { avcodec_find_decoder(avValue) != nil }
    /// `avcodec_profile_name` for a profile number of this codec.
    public func profileName(_ profile: Int32) -> String? {
        guard profile != FF_PROFILE_UNKNOWN, let name = avcodec_profile_name(avValue, profile) else { return nil }
        return String(cString: name)
    }

    public var description: String { name }
}
