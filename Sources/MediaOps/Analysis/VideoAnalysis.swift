/// The result of one analysis pass over a video: its temporal segments with
/// their features, and a per-frame record others (posters, keyframes) can pick from.
///
/// Times are seconds from the file's start time (what players show as 0 and
/// what `ffmpeg -ss` counts from), taken from each frame's timestamp, so they
/// are right for variable frame rates; for a stream that starts late (a video
/// track after its audio) the first frame's time is above 0. Frames are 0-based
/// in presentation order.
public struct VideoAnalysis: Sendable {
    public var path: String
    /// Average frame rate (frames / duration), or the stream's declared rate for a single frame.
    public var fps: Double
    /// Frames decoded.
    public var frameCount: Int
    /// From the first frame's start to the last frame's end.
    public var durationSec: Double
    public var segments: [TemporalSegment]
    /// One record per decoded frame, in presentation order.
    public var frames: [AnalyzedFrame]
    /// The stream time base and the timestamp that is time zero (the file's start),
    /// to seek to a frame exactly: `timestamp = origin + time / timeBase`.
    public var timeBase: (numerator: Int32, denominator: Int32)
    public var originTimestamp: Int64
    /// Packets skipped as damaged: rejected by the decoder, or a failed read that ended the input (damaged data tolerated on the way).
    public var damagedPackets: Int
    /// Seamless loops, best first, when ``AnalysisOptions/loops`` asked for them.
    public var loops: [LoopCandidate] = []
    /// Damaged data met on the way (frames the index lists that could not be decoded, packets the decoder
    /// rejected): the analysis covers what could be decoded, and says so.
    public var warnings: [String] = []
}

/// One decoded frame as analysis saw it.
public struct AnalyzedFrame: Sendable, Equatable {
    /// Presentation timestamp in the stream time base.
    public var timestamp: Int64
    /// Seconds from the file's start.
    public var time: Double
    public var quality: FrameQuality
}

/// How a segment begins: the first segment at the `start`; the others by a `cut`, a `fade` through
/// black or a solid picture, a `dissolve` (the shots blend) or a `wipe` (the new shot sweeps in part
/// by part over the old one).
public enum TransitionKind: String, Sendable, Codable, Hashable {
    case start, cut, fade, dissolve, wipe
}

/// The camera's movement over a segment (names say where the CAMERA goes:
/// content sliding left is the camera panning right).
public enum CameraMotion: String, Sendable, Codable, Hashable, CaseIterable {
    case `static`
    case panLeft = "pan_left", panRight = "pan_right"
    case tiltUp = "tilt_up", tiltDown = "tilt_down"
    case zoomIn = "zoom_in", zoomOut = "zoom_out"
    case shake, complex
}

/// One of up to five dominant colours of a segment.
public struct DominantColor: Sendable, Codable, Hashable {
    /// sRGB as `#rrggbb`.
    public var hex: String
    /// Share of the segment's pixels near this colour, 0...1.
    public var weight: Double
}

/// One shot (or the stretch between two transitions) and its features: the one
/// segment value from analysis through the pipeline to the library and the JSON.
/// Its Codable form (snake_case keys) is the `segments` JSON of SPEC section 4;
/// a row of `asset_temporal_segments` is made from it in one place
/// (`AssetTemporalSegment.init(_:assetID:)` in MediaPipeline).
public struct TemporalSegment: Sendable, Codable, Hashable {
    public var index: Int
    /// Always "scene" for now (the library column allows others later).
    public var segmentType: String
    public var startFrame: Int
    /// Exclusive.
    public var endFrame: Int
    public var startTime: Double
    /// The end of the last frame (start of the next segment).
    public var endTime: Double
    public var transitionIn: TransitionKind
    /// The frames `[first, end)` the transition into this segment spans: empty
    /// (`[start_frame, start_frame]`) for a cut, the blend or the fade out, black
    /// and fade in for a gradual one (whose `startFrame` is its middle); nil
    /// for the first segment.
    public var transitionFrames: [Int]?
    /// Mean luma, 0...1.
    public var brightness: Double
    public var dominantColors: [DominantColor]
    public var cameraMotion: CameraMotion
    /// Speed of the dominant movement: for pans and tilts picture widths (heights)
    /// per second, for zooms relative scale change per second, for shake the mean
    /// jitter in picture widths per second; 0 when static.
    public var motionMagnitude: Double
    /// pHash (16 hex digits) of the first and last frames.
    public var startHash: String
    public var endHash: String
    /// The sharpest, best exposed frame away from the segment's transitions.
    public var representativeFrame: Int
    public var representativeTime: Double
    /// Path of the written thumbnail, when asked for.
    public var thumbnail: String?
}
