import Foundation

/// The kinds of rendition (the backend's `AssetVariant` types).
public enum RenditionType: String, Sendable, Codable, CaseIterable {
    /// A light web version: H.264 (or VP9, AV1) + AAC in MP4, index first, at most `--height` lines.
    case compressed
    /// Another aspect ratio, by a crop window that follows the subject (or padding).
    case reframed
    /// A larger picture by a resampler (swscale's Lanczos), not learned super-resolution.
    case upscaled
}

/// A display aspect ratio a rendition can be reframed to.
public struct AspectRatio: Sendable, Hashable, Codable, CustomStringConvertible {
    public let width: Int
    public let height: Int

    /// The ratios `--aspect` takes.
    public static let supported = ["9:16", "1:1", "4:5", "16:9"]

    /// Parses `W:H`, one of ``supported``.
    public init?(_ text: String) {
        guard Self.supported.contains(text) else { return nil }
        let parts = text.split(separator: ":").compactMap { Int($0) }
        width = parts[0]
        height = parts[1]
    }

    public var description: String { "\(width):\(height)" }
    var value: Double { Double(width) / Double(height) }
}

/// How a reframed rendition fills the new shape.
public enum RenditionFit: String, Sendable, Codable, CaseIterable {
    /// A window of the new shape that follows what matters in each shot.
    case crop
    /// The whole picture, scaled to fit, on black bars.
    case pad
}

/// One rendition and its parameters.
///
/// ```swift
/// let result = try RenditionRenderer.render(input: "a.mp4", output: "a-web.mp4",
///                                           rendition: .compressed(height: 720, quality: EncodingQuality(crf: 23)))
/// ```
public enum Rendition: Sendable, Hashable {
    /// At most `height` display lines (never larger than the source), aspect kept, even sizes.
    case compressed(height: Int, quality: EncodingQuality)
    /// `scale` times larger, or `height` display lines, by Lanczos resampling; `sharpen` > 0
    /// adds an unsharp mask of that amount to the luma (``UnsharpMask``).
    case upscaled(scale: Double?, height: Int?, sharpen: Double = 0, quality: EncodingQuality)
    /// A crop window of `aspect` following the subject per shot, or padding with `fit: .pad`.
    case reframed(aspect: AspectRatio, fit: RenditionFit, quality: EncodingQuality)

    public static let defaultCompressedCRF = 23
    public static let defaultUpscaledCRF = 18
    public static let defaultReframedCRF = 20

    public var type: RenditionType {
        switch self {
        case .compressed: .compressed
        case .upscaled: .upscaled
        case .reframed: .reframed
        }
    }

    var quality: EncodingQuality {
        switch self {
        case .compressed(_, let quality), .upscaled(_, _, _, let quality), .reframed(_, _, let quality): quality
        }
    }

    /// The parameters as name/value pairs, canonical (what the library keys a rendition on).
    public var parameters: [String: String] {
        var values = ["codec": quality.codec.rawValue, "crf": String(quality.crf), "preset": quality.preset,
                      "max_bitrate": quality.maxBitRate.map(String.init) ?? "none"]
        switch self {
        case .compressed(let height, _):
            values["height"] = String(height)
        case .upscaled(let scale, let height, let sharpen, _):
            if let height { values["height"] = String(height) } else { values["scale"] = String(scale ?? 2) }
            // Only when asked for: the key of an unsharpened rendition stays what it was.
            if sharpen > 0 { values["sharpen"] = String(sharpen) }
        case .reframed(let aspect, let fit, _):
            values["aspect"] = aspect.description
            values["fit"] = fit.rawValue
            values["reframe_version"] = String(ReframePlanner.version)
        }
        return values
    }

    /// `name=value;…` sorted by name: the same parameters always give the same key.
    public var parametersKey: String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
    }

    /// Checks the values before any file is touched.
    /// - Parameter path: the input named in the error.
    public func validate(path: String) throws(MediaError) {
        try quality.validate(path: path)
        switch self {
        case .compressed(let height, _):
            guard (2...8640).contains(height) else {
                throw MediaError(path: path, code: .invalidArgument, message: "--height must be between 2 and 8640, not \(height)")
            }
        case .upscaled(let scale, let height, let sharpen, _):
            guard sharpen >= 0 && sharpen <= 2 else {
                throw MediaError(path: path, code: .invalidArgument, message: "--sharpen must be from 0 to 2, not \(sharpen)")
            }
            if let height, !(2...8640).contains(height) {
                throw MediaError(path: path, code: .invalidArgument, message: "--height must be between 2 and 8640, not \(height)")
            }
            if let scale, !(scale > 1 && scale <= 8) {
                throw MediaError(path: path, code: .invalidArgument, message: "--scale must be more than 1 and at most 8, not \(scale)")
            }
        case .reframed:
            break
        }
    }
}

/// What a rendition turned out to be.
public struct RenditionResult: Sendable, Codable {
    public var output: String
    public var type: RenditionType
    public var width: Int
    public var height: Int
    public var codec: String
    public var frames: Int
    public var durationSec: Double
    public var bitRate: Int64?
    public var parameters: [String: String]
    /// The crop windows of a reframed rendition, frame by frame.
    public var reframe: ReframePlan?
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case output, type, width, height, codec, frames, parameters, reframe, warnings
        case durationSec = "duration_sec", bitRate = "bit_rate"
    }
}
