import Foundation
import MediaLibrary

/// The band under the player: one band per segment, as wide as the segment is long, in its dominant colour,
/// with the transition into it marked (a line for a cut, a shaded span for a fade, dissolve or wipe) and its
/// camera motion as the label. A band links to the media at its start time, and the page's script seeks
/// the player there instead.
struct SegmentTimeline {
    struct Band {
        var index: Int
        var left: String
        var width: String
        var color: String
        var textColor: String
        var label: String
        var title: String
        var start: String
        var end: String
        var href: String
        var transition: String
        var isCut: Bool
    }

    /// A gradual transition's frames, drawn over the bands it spans.
    struct TransitionSpan {
        var kind: String
        var left: String
        var width: String
    }

    var bands: [Band]
    var transitions: [TransitionSpan]
    var duration: String

    init?(segments: [AssetTemporalSegment], duration: Double?, fps: Double?, mediaURL: String) {
        guard !segments.isEmpty else { return nil }
        let total = max(duration ?? 0, segments.map(\.endSec).max() ?? 0)
        guard total > 0 else { return nil }
        self.duration = PageFormatting.seconds(total)
        bands = segments.map { segment in
            let color = Self.dominantColor(segment.dominantColors)
            let motion = segment.cameraMotion.map { $0.replacingOccurrences(of: "_", with: " ") } ?? ""
            let transition = segment.transitionIn ?? "start"
            let range = "\(PageFormatting.seconds(segment.timestampSec))–\(PageFormatting.seconds(segment.endSec)) s"
            return Band(index: segment.segmentIndex,
                        left: PageFormatting.percent(segment.timestampSec / total * 100),
                        width: PageFormatting.percent((segment.endSec - segment.timestampSec) / total * 100),
                        color: color, textColor: Self.readableText(on: color), label: motion,
                        title: "segment \(segment.segmentIndex): \(range), \(transition) in" + (motion.isEmpty ? "" : ", \(motion)"),
                        start: PageFormatting.seconds(segment.timestampSec), end: PageFormatting.seconds(segment.endSec),
                        href: "\(mediaURL)#t=\(PageFormatting.seconds(segment.timestampSec))",
                        transition: transition, isCut: transition == "cut")
        }
        transitions = segments.compactMap { segment in
            guard let kind = segment.transitionIn, ["fade", "dissolve", "wipe"].contains(kind), let fps, fps > 0,
                  let frames = Self.frameSpan(segment.transitionFrames), frames.end > frames.first else { return nil }
            let start = Double(frames.first) / fps, end = Double(frames.end) / fps
            return TransitionSpan(kind: kind, left: PageFormatting.percent(start / total * 100),
                                  width: PageFormatting.percent((end - start) / total * 100))
        }
    }

    /// The heaviest of the stored dominant colours (`[{"hex": "#9f6745", "weight": 0.31}, …]`), or grey.
    /// Only a `#rrggbb` value is taken: it ends up in a style attribute.
    static func dominantColor(_ stored: String?) -> String {
        let fallback = "#8a8f98"
        guard let stored, let colors = (try? JSONSerialization.jsonObject(with: Data(stored.utf8))) as? [[String: Any]] else {
            return fallback
        }
        let heaviest = colors.max { ($0["weight"] as? Double ?? 0) < ($1["weight"] as? Double ?? 0) }
        guard let hex = heaviest?["hex"] as? String, hex.count == 7, hex.first == "#",
              hex.dropFirst().allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return fallback }
        return hex.lowercased()
    }

    /// Black or white, whichever reads better on `color` (`#rrggbb`).
    static func readableText(on color: String) -> String {
        guard let value = Int(color.dropFirst(), radix: 16) else { return "#000" }
        let red = Double((value >> 16) & 0xff), green = Double((value >> 8) & 0xff), blue = Double(value & 0xff)
        return (0.299 * red + 0.587 * green + 0.114 * blue) > 150 ? "#111" : "#fff"
    }

    /// `[first, end)` from the stored `transition_frames`.
    static func frameSpan(_ stored: String?) -> (first: Int, end: Int)? {
        guard let stored, let pair = (try? JSONSerialization.jsonObject(with: Data(stored.utf8))) as? [Int], pair.count == 2 else {
            return nil
        }
        return (pair[0], pair[1])
    }
}
