import Foundation
import MediaLibrary
@testable import MediaServer
import Testing

/// The band under an asset's player: which stored transitions get a shaded span.
struct SegmentTimelineTests {
    static func segment(_ index: Int, _ kind: String?, from start: Double, to end: Double, frames: String?) -> AssetTemporalSegment {
        AssetTemporalSegment(assetID: 1, segmentIndex: index, segmentType: "scene", transitionIn: kind, timestampSec: start, endSec: end,
                             frameNumber: Int(start * 25), endFrame: Int(end * 25), thumbnailPath: nil, brightness: nil,
                             dominantColors: nil, cameraMotion: nil, motionMagnitude: nil, startHash: nil, endHash: nil,
                             transitionFrames: frames)
    }

    /// Fades, dissolves and wipes are shaded over their frames; a cut is a line of its band, and a kind this
    /// build does not know (a row written by something else) gets no span: its name would become a class.
    @Test func gradualTransitionsAreShadedOverTheirFrames() throws {
        let segments = [
            Self.segment(0, "start", from: 0, to: 2, frames: nil),
            Self.segment(1, "cut", from: 2, to: 4, frames: "[50, 50]"),
            Self.segment(2, "fade", from: 4, to: 6, frames: "[90, 110]"),
            Self.segment(3, "dissolve", from: 6, to: 8, frames: "[145, 155]"),
            Self.segment(4, "wipe", from: 8, to: 9, frames: "[195, 205]"),
            Self.segment(5, "x\" onmouseover=\"alert(1)", from: 9, to: 10, frames: "[220, 230]"),
        ]
        let timeline = try #require(SegmentTimeline(segments: segments, duration: 10, fps: 25, mediaURL: "/media/x"))
        #expect(timeline.transitions.map(\.kind) == ["fade", "dissolve", "wipe"])
        let wipe = try #require(timeline.transitions.last)
        // Frames 195 to 205 at 25 fps: 7.8 s to 8.2 s of 10.
        #expect(wipe.left == PageFormatting.percent(78) && wipe.width == PageFormatting.percent(4), "\(wipe)")
    }
}
