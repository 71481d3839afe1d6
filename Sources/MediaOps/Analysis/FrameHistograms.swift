/// Every frame's luma and colour histograms (``FrameMeasures/histogram(_:)``), made once for the
/// decisions: what a frame shows regardless of where things are in it, so that two shots are told
/// apart while things move inside each.
struct FrameHistograms: Sendable {
    /// The bins of each frame, as ``FrameMeasures/histogram(_:)`` gives them: 16 luma bins summing to 1, then
    /// 8 for each of R, G and B, each channel summing to 1.
    static let binCount = 16 + 24
    /// Every frame's bins, one frame after the other (one allocation however long the video: 320 bytes a frame).
    private let bins: [Double]

    init(_ measures: FrameMeasures) {
        var bins: [Double] = []
        bins.reserveCapacity(measures.frameCount * Self.binCount)
        for frame in 0..<measures.frameCount {
            let histogram = measures.histogram(frame)
            precondition(histogram.count == Self.binCount, "FrameMeasures.histogram gives \(histogram.count) bins")
            bins += histogram
        }
        self.bins = bins
    }

    /// A quarter of the L1 distance between the histograms of frames `a` and `b`: 0 for the same
    /// histograms, at most 2 (0.5 from luma, 1.5 from colour).
    func distance(_ a: Int, _ b: Int) -> Double {
        let n = Self.binCount, ha = a * n, hb = b * n
        var sum = 0.0
        for i in 0..<n { sum += abs(bins[ha + i] - bins[hb + i]) }
        return sum / 4
    }

    /// Frame `k`'s histograms as a mix of those of frames `a` and `b`: the share `t` of `b` that fits best
    /// (least squares, 0-1), and how far `k`'s histograms stay from that mix (as ``distance(_:_:)``).
    ///
    /// A frame made of parts of two pictures has the area-weighted mix of their histograms, wherever the
    /// parts are and however each picture moves inside its part: the frames of a wipe, an iris, a slide,
    /// a cover or a squeeze between two moving shots are such mixes. A dissolve's are not (mixing the
    /// pixels makes values that neither picture has), nor those of a change of light (the values shift).
    func mixture(_ a: Int, _ k: Int, _ b: Int) -> (t: Double, residual: Double) {
        let n = Self.binCount, ha = a * n, hb = b * n, hk = k * n
        var along = 0.0, length = 0.0
        for i in 0..<n {
            let d = bins[hb + i] - bins[ha + i]
            along += (bins[hk + i] - bins[ha + i]) * d
            length += d * d
        }
        let t = length > 0 ? min(1, max(0, along / length)) : 0
        var sum = 0.0
        for i in 0..<n { sum += abs(bins[hk + i] - (1 - t) * bins[ha + i] - t * bins[hb + i]) }
        return (t, sum / 4)
    }
}
