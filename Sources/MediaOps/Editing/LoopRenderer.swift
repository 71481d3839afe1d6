import Foundation

/// Writes a loop found by ``LoopFinder`` as a file that plays seamlessly on repeat (`loops --render`).
///
/// A seam no one can see is left alone: the loop's frames are cut exactly (``Clipper``). Any other seam
/// gets a short crossfade made by the timeline renderer (which copies every frame it does not blend):
/// the loop's first frames are blended from the frames that follow its end in the source (`[b, b+N)`)
/// into its own (`[a, a+N)`), so after the last frame `b-1` playback goes on with what followed it in
/// the source and drifts back to the loop's own pictures over N frames. When the source ends too soon
/// after the loop, its last frames are blended towards the frames before its start (`[a-N, a)`)
/// instead, which lead into frame `a` as the source did. Either way the file has exactly the loop's
/// frames, and its length is unchanged.
public enum LoopRenderer {
    /// A seam at least this close (PSNR on the analysis picture, dB) needs no help.
    public static let invisibleSeamPSNR = 40.0

    public struct Result: Sendable, Encodable {
        public var output: String
        public var frames: Int?
        public var startTime: Double
        public var endTime: Double
        /// `copy` (the seam is invisible) or `crossfade`.
        public var method: String
        public var crossfadeFrames: Int
        /// The seam as found in the source, before any help (see ``LoopCandidate/seamPSNR``).
        public var seamPSNR: Double

        enum CodingKeys: String, CodingKey {
            case output, frames, method
            case startTime = "start_time", endTime = "end_time", crossfadeFrames = "crossfade_frames", seamPSNR = "seam_psnr"
        }
    }

    /// Frames of the crossfade: a fifth of a second, at least 3, at most a quarter of the loop.
    static func crossfadeLength(loopFrames: Int, fps: Double) -> Int {
        min(max(3, Int((fps / 5).rounded())), loopFrames / 4)
    }

    /// - Parameters:
    ///   - fps: the frame rate the analysis measured; `frameCount` the frames it decoded.
    /// - Throws: ``MediaError`` from the cut or the render; nothing is left at `output` then.
    public static func render(_ loop: LoopCandidate, input: String, output: String, fps: Double, frameCount: Int) throws(MediaError) -> Result {
        func cut() throws(MediaError) -> Result {
            let clip = try Clipper.clip(ClipRequest(input: input, output: output, start: loop.startTime, end: loop.endTime, mode: .exact))
            return Result(output: output, frames: clip.actual.frames, startTime: clip.actual.start, endTime: clip.actual.end,
                          method: "copy", crossfadeFrames: 0, seamPSNR: loop.seamPSNR)
        }
        let frames = loop.endFrame - loop.startFrame
        let fade = fps > 0 ? crossfadeLength(loopFrames: frames, fps: fps) : 0
        if loop.seamPSNR >= invisibleSeamPSNR || fade < 3 { return try cut() }
        let step = Double(fade) / fps
        let own = TimelineEntry(path: input, start: loop.startTime, end: loop.endTime)
        let entries: [TimelineEntry]
        if loop.endFrame + fade <= frameCount {
            // What followed the loop's end, dissolving into the loop's own first frames.
            var into = own
            into.transitionIn = TimelineTransition(kind: .crossfade, frames: fade)
            entries = [TimelineEntry(path: input, start: loop.endTime, end: loop.endTime + step), into]
        } else if loop.startFrame >= fade {
            // The loop's last frames dissolving into what led up to its start.
            entries = [own, TimelineEntry(path: input, start: loop.startTime - step, end: loop.startTime,
                                          transitionIn: TimelineTransition(kind: .crossfade, frames: fade))]
        } else {
            return try cut()  // no frames on either side to blend with
        }
        let rendered = try TimelineRenderer.render(TimelineRequest(entries: entries, output: output))
        return Result(output: output, frames: rendered.frames, startTime: loop.startTime, endTime: loop.endTime,
                      method: "crossfade", crossfadeFrames: fade, seamPSNR: loop.seamPSNR)
    }
}
