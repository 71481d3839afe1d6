/// What a media file is: the enrichment of SPEC section 4 (`probe`).
/// Plain values; optional fields are written as JSON `null`, not left out.
public struct ProbeResult: Sendable, Equatable, Codable {
    public var path: String
    public var fileSizeBytes: Int64
    /// Hex SHA-256 of the whole file, when asked for.
    public var sha256: String?
    /// libav's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var container: String
    public var mimeType: String
    /// "video", "image", "audio" or "other".
    public var mediaType: String
    public var durationSec: Double?
    public var bitRate: Int64?
    public var startTimeSec: Double?
    public var video: VideoInfo?
    public var audio: AudioInfo?
    public var streams: [StreamInfo]
    public var tags: [String: String]
    /// Things a user should know that did not stop the probe (an undecodable codec, say).
    public var warnings: [String]

    public struct VideoInfo: Sendable, Equatable, Codable {
        public var streamIndex: Int
        public var codec: String
        public var profile: String?
        public var width: Int
        public var height: Int
        public var displayWidth: Int
        public var displayHeight: Int
        /// Clockwise display rotation: 0, 90, 180 or 270.
        public var rotation: Int
        /// "num:den".
        public var sampleAspectRatio: String
        public var pixelFormat: String?
        public var bitDepth: Int?
        public var fps: Double?
        /// "cfr" or "vfr".
        public var frameRateMode: String
        /// Video packets in the file (what `ffprobe -count_packets` reports).
        public var frameCount: Int?
        public var fieldOrder: String
        public var hasBFrames: Bool
        public var bitRate: Int64?
        public var timeBase: String
        public var startTimeSec: Double?
        public var durationSec: Double?
        public var decodable: Bool
    }

    public struct AudioInfo: Sendable, Equatable, Codable {
        public var streamIndex: Int
        public var codec: String
        public var profile: String?
        public var sampleRate: Int
        public var channels: Int
        public var channelLayout: String?
        public var sampleFormat: String?
        public var bitRate: Int64?
        public var durationSec: Double?
        public var decodable: Bool
    }

    public struct StreamInfo: Sendable, Equatable, Codable {
        public var index: Int
        /// "video", "audio", "subtitle", "data", "attachment" or "unknown".
        public var type: String
        public var codec: String
        public var profile: String?
        public var timeBase: String
        public var startTimeSec: Double?
        public var durationSec: Double?
        public var bitRate: Int64?
        public var width: Int?
        public var height: Int?
        public var sampleRate: Int?
        public var channels: Int?
        public var language: String?
        public var isDefault: Bool
        public var isAttachedPicture: Bool
        public var tags: [String: String]
    }
}

extension ProbeResult {
    // Explicit encoding so that absent values are `null` (SPEC shows `"video": null`).
    enum CodingKeys: String, CodingKey {
        case path, fileSizeBytes, sha256, container, mimeType, mediaType, durationSec, bitRate, startTimeSec
        case video, audio, streams, tags, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(fileSizeBytes, forKey: .fileSizeBytes)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(container, forKey: .container)
        try c.encode(mimeType, forKey: .mimeType)
        try c.encode(mediaType, forKey: .mediaType)
        try c.encode(durationSec, forKey: .durationSec)
        try c.encode(bitRate, forKey: .bitRate)
        try c.encode(startTimeSec, forKey: .startTimeSec)
        try c.encode(video, forKey: .video)
        try c.encode(audio, forKey: .audio)
        try c.encode(streams, forKey: .streams)
        try c.encode(tags, forKey: .tags)
        try c.encode(warnings, forKey: .warnings)
    }
}

extension ProbeResult.VideoInfo {
    enum CodingKeys: String, CodingKey {
        case streamIndex, codec, profile, width, height, displayWidth, displayHeight, rotation, sampleAspectRatio
        case pixelFormat, bitDepth, fps, frameRateMode, frameCount, fieldOrder, hasBFrames, bitRate, timeBase
        case startTimeSec, durationSec, decodable
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(streamIndex, forKey: .streamIndex)
        try c.encode(codec, forKey: .codec)
        try c.encode(profile, forKey: .profile)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(displayWidth, forKey: .displayWidth)
        try c.encode(displayHeight, forKey: .displayHeight)
        try c.encode(rotation, forKey: .rotation)
        try c.encode(sampleAspectRatio, forKey: .sampleAspectRatio)
        try c.encode(pixelFormat, forKey: .pixelFormat)
        try c.encode(bitDepth, forKey: .bitDepth)
        try c.encode(fps, forKey: .fps)
        try c.encode(frameRateMode, forKey: .frameRateMode)
        try c.encode(frameCount, forKey: .frameCount)
        try c.encode(fieldOrder, forKey: .fieldOrder)
        try c.encode(hasBFrames, forKey: .hasBFrames)
        try c.encode(bitRate, forKey: .bitRate)
        try c.encode(timeBase, forKey: .timeBase)
        try c.encode(startTimeSec, forKey: .startTimeSec)
        try c.encode(durationSec, forKey: .durationSec)
        try c.encode(decodable, forKey: .decodable)
    }
}

extension ProbeResult.AudioInfo {
    enum CodingKeys: String, CodingKey {
        case streamIndex, codec, profile, sampleRate, channels, channelLayout, sampleFormat, bitRate, durationSec, decodable
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(streamIndex, forKey: .streamIndex)
        try c.encode(codec, forKey: .codec)
        try c.encode(profile, forKey: .profile)
        try c.encode(sampleRate, forKey: .sampleRate)
        try c.encode(channels, forKey: .channels)
        try c.encode(channelLayout, forKey: .channelLayout)
        try c.encode(sampleFormat, forKey: .sampleFormat)
        try c.encode(bitRate, forKey: .bitRate)
        try c.encode(durationSec, forKey: .durationSec)
        try c.encode(decodable, forKey: .decodable)
    }
}
