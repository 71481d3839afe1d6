/// Where a poster or keyframe is taken and what makes a good one: the one
/// policy behind both ways of obtaining the frames, seeking (``PosterFrame``,
/// `FramePicker` over `SeekableVideo`) and the analysis pass (`StillCollector`,
/// `StillPlan`). Both score pictures with ``FrameQuality``, measured on the
/// same analysis picture (`AnalysisShrinker`), so the two can only differ in
/// which frames they get to see.
enum StillPolicy {
    /// A stretch of the video, as fractions of its duration, where a still is
    /// wanted near `centre`; when everything in `[low, high)` is poor (black,
    /// flat, mid-fade), a seek picker walks on up to `searchingOnUntil`. The
    /// analysis pass, which cannot walk on afterwards, keeps candidates from
    /// `low` to `searchingOnUntil` and takes the good one nearest `centre`.
    struct Window: Sendable, Hashable {
        var low: Double
        var high: Double
        var centre: Double
        var searchingOnUntil: Double
    }

    /// The poster: near the first third, where generated clips have settled
    /// past their opening and not yet reached their ending.
    static let poster = Window(low: 1.0 / 6, high: 1.0 / 2, centre: 1.0 / 3, searchingOnUntil: 2.0 / 3)

    /// Where a seek picker looks next when the whole ``poster`` window is
    /// black or flat: the best part of the rest first.
    static let posterFallbacks = [
        Window(low: 1.0 / 2, high: 5.0 / 6, centre: 2.0 / 3, searchingOnUntil: 1),
        Window(low: 0, high: 1.0 / 6, centre: 1.0 / 12, searchingOnUntil: 1.0 / 4),
        Window(low: 5.0 / 6, high: 1, centre: 11.0 / 12, searchingOnUntil: 1),
    ]

    /// Uniform keyframe `part` of `count`: the middle of that one of `count`
    /// equal parts; a part with no good picture takes the nearest one in the next part.
    static func keyframe(_ part: Int, of count: Int) -> Window {
        let low = Double(part) / Double(count), high = Double(part + 1) / Double(count)
        return Window(low: low, high: high, centre: (low + high) / 2, searchingOnUntil: min(1, 2 * high - low))
    }

    /// Whether a picture can be a still at all: not black, not flat (``FrameQuality/posterScore``).
    static func isUsable(_ quality: FrameQuality) -> Bool { quality.posterScore > 0 }

    /// Two neighbouring frames whose mean brightness differs by less than this
    /// show a held picture; a fade changes it faster. (A seek picker comparing
    /// candidates half a second apart allows ``coarseSteadyChange``.)
    static let steadyChange = 0.01
    static let coarseSteadyChange = 0.04

    /// Whether a picture with brightness `b` is steady next to one with `other`.
    static func isSteady(_ b: Double, next other: Double, coarse: Bool = false) -> Bool {
        abs(b - other) < (coarse ? coarseSteadyChange : steadyChange)
    }
}
