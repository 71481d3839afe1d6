import Foundation
import LibAV

/// The video codecs a re-encode can write, each with the libav encoder that makes it.
///
/// H.264 (libx264) is the default everywhere and the only codec of clips, concatenations and
/// timelines (smart cuts splice x264 output into H.264 streams). Renditions may ask for VP9
/// (libvpx-vp9) or AV1 (SVT-AV1, else libaom) when this FFmpeg has the encoder: smaller files for
/// the same picture, at a higher encoding cost. All three go in MP4 with AAC audio, which every
/// current browser plays.
public enum VideoCodec: String, Sendable, Hashable, Codable, CaseIterable {
    case h264, vp9, av1

    /// The libav encoders that make this codec, the preferred first.
    var encoderNames: [String] {
        switch self {
        case .h264: ["libx264"]
        case .vp9: ["libvpx-vp9"]
        case .av1: ["libsvtav1", "libaom-av1"]
        }
    }

    /// The codec as libav names it.
    var codecID: CodecID {
        switch self {
        case .h264: .h264
        case .vp9: .vp9
        case .av1: .av1
        }
    }

    /// The first of ``encoderNames`` this FFmpeg has, nil when none.
    public var availableEncoder: String? { encoderNames.first(where: Encoder.isAvailable) }

    /// The highest constant rate factor the encoder takes (x264 51, VP9 and AV1 63).
    public var maxCRF: Int { self == .h264 ? 51 : 63 }

    /// A constant rate factor of this codec that looks about like x264's `crf`: VP9's and AV1's
    /// scales run about ten higher for the same picture (x264 23 ~ VP9 33 ~ AV1 33 on the test
    /// footage; see the variants tests).
    public func crf(matchingX264 crf: Int) -> Int { self == .h264 ? crf : min(maxCRF, crf + 10) }

    /// The encoder options for `quality`: rate control by constant quality with an optional peak
    /// rate, and the x264 preset names mapped to each encoder's speed setting.
    func encoderOptions(_ quality: EncodingQuality, encoder: String) -> [String: String] {
        let speed = EncodingQuality.presets.firstIndex(of: quality.preset) ?? 5  // 0 ultrafast ... 9 placebo
        var options = ["crf": String(quality.crf)]
        switch encoder {
        case "libx264":
            options["preset"] = quality.preset
            if let peak = quality.maxBitRate {
                options["maxrate"] = String(peak)
                options["bufsize"] = String(peak * 2)
            }
        case "libvpx-vp9":
            // Good-quality deadline, cpu-used 5 (fastest of it) down to 0; rows in parallel.
            options["deadline"] = "good"
            options["cpu-used"] = String(max(0, min(5, 7 - speed)))
            options["row-mt"] = "1"
            // Constant quality needs a zero target rate (libav's default 200 kb/s would cap it);
            // with a peak rate it is constrained quality, the peak as the target.
            options["b"] = quality.maxBitRate.map(String.init) ?? "0"
            if let peak = quality.maxBitRate {
                options["maxrate"] = String(peak)
                options["bufsize"] = String(peak * 2)
            }
        case "libsvtav1":
            // Presets 12 (fastest) to 2; x264's medium is SVT-AV1's default 8.
            options["preset"] = String(max(2, min(12, 13 - speed)))
            options["b"] = "0"
            if let peak = quality.maxBitRate {
                options["maxrate"] = String(peak)
                options["bufsize"] = String(peak * 2)
            }
        default:  // libaom-av1
            options["cpu-used"] = String(max(0, min(8, 9 - speed)))
            options["row-mt"] = "1"
            options["b"] = quality.maxBitRate.map(String.init) ?? "0"
            if let peak = quality.maxBitRate { options["maxrate"] = String(peak) }
        }
        return options
    }
}
