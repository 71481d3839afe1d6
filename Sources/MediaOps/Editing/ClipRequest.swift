/// How a clip is cut.
public enum ClipMode: String, Sendable, Codable, Hashable, CaseIterable {
    /// No re-encoding: packets from the keyframe at or before the start are
    /// copied and, in MP4/MOV, the pre-roll is hidden by an edit list.
    case copy
    /// Everything re-encoded: exactly the frames in the range.
    case exact
    /// Only the head up to the first keyframe is re-encoded; the rest is copied.
    case smart
}

/// Quality settings for re-encoded video: the codec (H.264 unless a rendition asks for another),
/// its constant rate factor, the speed preset (x264's names, mapped for the other encoders) and
/// an optional peak rate.
public struct EncodingQuality: Sendable, Hashable, Codable {
    /// The constant rate factor: lower is better; for x264 18 is visually lossless for most footage.
    public var crf: Int
    /// x264's speed/size trade-off, `ultrafast` ... `veryslow`.
    public var preset: String
    /// A peak rate in bits per second (VBV `maxrate`, with a two-second `bufsize`), nil for none.
    public var maxBitRate: Int64?
    /// The codec written.
    public var codec: VideoCodec

    public init(crf: Int = 18, preset: String = "medium", maxBitRate: Int64? = nil, codec: VideoCodec = .h264) {
        self.crf = crf
        self.preset = preset
        self.maxBitRate = maxBitRate
        self.codec = codec
    }

    enum CodingKeys: String, CodingKey { case crf, preset, maxBitRate, codec }

    /// Settings written before there was a choice of codec are H.264's.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        crf = try container.decode(Int.self, forKey: .crf)
        preset = try container.decode(String.self, forKey: .preset)
        maxBitRate = try container.decodeIfPresent(Int64.self, forKey: .maxBitRate)
        codec = try container.decodeIfPresent(VideoCodec.self, forKey: .codec) ?? .h264
    }

    /// The encoder these settings use: the codec's first encoder this FFmpeg has.
    var encoderName: String { codec.availableEncoder ?? codec.encoderNames[0] }

    /// The encoder options these settings stand for.
    var encoderOptions: [String: String] { codec.encoderOptions(self, encoder: encoderName) }

    static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

    /// Checks the values before any file is touched.
    func validate(path: String) throws(MediaError) {
        guard codec.availableEncoder != nil else {
            throw MediaError(path: path, code: .unsupportedCodec,
                             message: "this FFmpeg has no \(codec.rawValue) encoder (\(codec.encoderNames.joined(separator: " or ")))")
        }
        guard (0...codec.maxCRF).contains(crf) else {
            throw MediaError(path: path, code: .invalidArgument, message: "--crf must be between 0 and \(codec.maxCRF) for \(codec.rawValue), not \(crf)")
        }
        guard Self.presets.contains(preset) else {
            throw MediaError(path: path, code: .invalidArgument, message: "unknown preset '\(preset)' (one of \(Self.presets.joined(separator: ", ")))")
        }
        if let maxBitRate, maxBitRate < 1000 || maxBitRate > 1_000_000_000 {
            throw MediaError(path: path, code: .invalidArgument, message: "--max-bitrate must be between 1k and 1000M bits per second, not \(maxBitRate)")
        }
    }
}

/// What part of which file to cut, where to, and how.
///
/// ```swift
/// let result = try Clipper.clip(ClipRequest(input: "a.mp4", output: "b.mp4", start: 1.5, end: 4, mode: .copy))
/// ```
public struct ClipRequest: Sendable, Hashable {
    public var input: String
    public var output: String
    /// Seconds from the start of the media (the container's first timestamp), inclusive.
    public var start: Double
    /// Seconds from the start of the media, exclusive.
    public var end: Double
    public var mode: ClipMode
    public var quality: EncodingQuality

    public init(input: String, output: String, start: Double, end: Double, mode: ClipMode = .copy,
                quality: EncodingQuality = EncodingQuality()) {
        self.input = input
        self.output = output
        self.start = start
        self.end = end
        self.mode = mode
        self.quality = quality
    }
}

/// A presented time range of a result, in seconds from its source's start.
public struct PresentedRange: Sendable, Hashable, Codable {
    public var start: Double
    public var end: Double
    /// Video frames presented.
    public var frames: Int

    public init(start: Double, end: Double, frames: Int) {
        self.start = start
        self.end = end
        self.frames = frames
    }
}

/// What a clip turned out to be.
public struct ClipResult: Sendable, Hashable, Codable {
    public var output: String
    /// The mode that produced the file: `smart` falls back to `exact` when it cannot cut safely.
    public var mode: ClipMode
    public var requested: RequestedRange
    /// The range the output really presents, in the source's seconds: where
    /// containers without edit lists start at a keyframe, this says so.
    public var actual: PresentedRange
    /// Why `smart` was not used, when it fell back to `exact`.
    public var fallback: String?
    /// Streams dropped, timestamps adjusted, and the like.
    public var warnings: [String]

    public struct RequestedRange: Sendable, Hashable, Codable {
        public var start: Double
        public var end: Double
    }
}

/// Progress of a long render: a fraction in 0...1 of the output's duration written.
public typealias EditingProgress = (Double) -> Void
