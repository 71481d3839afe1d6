import LibAV

/// The per-frame work of the decode loop: shrinks each frame once
/// (``AnalysisShrinker``), estimates its motion from the previous one
/// (``GlobalMotionEstimator``) and records both in ``measures``.
final class MeasuringPass {
    private let shrinker: AnalysisShrinker
    private let motion: GlobalMotionEstimator
    private(set) var measures: FrameMeasures
    /// Analysis luma of the first and the latest frame measured: where parts
    /// measured separately meet, the motion across the join is estimated from them.
    private(set) var firstLuma: [UInt8]?
    var lastLuma: [UInt8] { shrinker.luma }
    var frameCount: Int { measures.frameCount }
    /// Keeps candidate stills when stills are wanted from this pass.
    let stills: StillCollector?
    private var previousBrightness: Double?

    init(sourceWidth: Int, sourceHeight: Int, stillWindows: [StillWindow] = []) {
        stills = stillWindows.isEmpty ? nil : StillCollector(windows: stillWindows)
        shrinker = AnalysisShrinker(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        motion = GlobalMotionEstimator(width: shrinker.width, height: shrinker.height)
        measures = FrameMeasures(tinyWidth: shrinker.tinyWidth, tinyHeight: shrinker.tinyHeight, tinyColorCount: shrinker.tinyColorCount)
        measures.reserve(frames: 1024)
    }

    func measure(_ frame: Frame, timestamp: Int64) throws(AVError) {
        try shrinker.shrink(frame)
        if firstLuma == nil { firstLuma = shrinker.luma }
        measures.record(timestamp: timestamp, shrinker: shrinker, motion: motion.estimate(shrinker.luma))
        guard let stills, let quality = measures.qualities.last else { return }
        let steady = previousBrightness.map { StillPolicy.isSteady($0, next: quality.brightness) } ?? false
        previousBrightness = quality.brightness
        try stills.observe(frame, timestamp: timestamp, quality: quality, steady: steady)
    }
}

@available(*, unavailable, message: "A MeasuringPass owns a scaler that must stay in one task.")
extension MeasuringPass: Sendable {}
