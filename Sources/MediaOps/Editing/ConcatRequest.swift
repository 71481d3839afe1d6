import LibAV

/// How inputs are joined.
public enum ConcatMode: String, Sendable, Codable, Hashable, CaseIterable {
    /// Copy when the inputs agree on every coding parameter, else re-encode.
    case auto
    /// Copy packets; refuse inputs that differ.
    case copy
    /// Decode and re-encode everything to one size, frame rate, pixel format and audio format.
    case reencode
}

/// Which files to join, in order, where to, and how.
///
/// ```swift
/// let result = try Concatenator.concat(ConcatRequest(inputs: ["a.mp4", "b.mp4"], output: "ab.mp4"))
/// ```
public struct ConcatRequest: Sendable, Hashable {
    public var inputs: [String]
    public var output: String
    public var mode: ConcatMode
    /// Drop an input's first frame when it repeats the previous input's last
    /// frame (provider extensions start on their source's last frame).
    public var trimDuplicateJoins: Bool
    /// Output picture size when re-encoding; nil for the first input's.
    public var size: PictureSize?
    /// Output frame rate when re-encoding; nil for the first input's.
    public var frameRate: Double?
    public var quality: EncodingQuality

    public init(inputs: [String], output: String, mode: ConcatMode = .auto, trimDuplicateJoins: Bool = false,
                size: PictureSize? = nil, frameRate: Double? = nil, quality: EncodingQuality = EncodingQuality()) {
        self.inputs = inputs
        self.output = output
        self.mode = mode
        self.trimDuplicateJoins = trimDuplicateJoins
        self.size = size
        self.frameRate = frameRate
        self.quality = quality
    }
}

/// A picture size, `WxH` on the command line.
public struct PictureSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Parses `1280x720`; nil for anything else or absurd sizes.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              (2...16384).contains(width), (2...16384).contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    public var description: String { "\(width)x\(height)" }
}

/// What a join turned out to be.
public struct ConcatResult: Sendable, Hashable, Codable {
    public var output: String
    /// `copy` or `reencode`.
    public var modeUsed: ConcatMode
    public var inputs: [ConcatInputSummary]
    public var durationSec: Double
    public var frames: Int
    /// Why `auto` re-encoded (the first difference found), when it did.
    public var reason: String?
    public var warnings: [String]
}

/// Where one input landed in the output.
public struct ConcatInputSummary: Sendable, Hashable, Codable {
    public var path: String
    /// Seconds into the output where this input starts.
    public var offsetSec: Double
    public var durationSec: Double
    public var frames: Int
    /// Whether its first frame was dropped as a repeat of the previous input's last.
    public var droppedDuplicateFrame: Bool
}
