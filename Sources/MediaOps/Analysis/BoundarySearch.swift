import Foundation

/// What the boundary decisions of one video are made on, worked out once from its measures, and the
/// searches over it, which ``SegmentDecider/boundaries()`` runs in turn: runs of black and of a flat
/// light picture with their ramps (``fades()``), hard cuts (``cuts(outside:)``), then gradual transitions
/// (``gradualTransitions(outside:awayFrom:)``, in `BoundarySearch+GradualTransitions.swift`). Each search
/// reads only the measures and what the searches before it found, so the per-frame tests of the last can
/// run on several cores (``FrameStripes``).
struct BoundarySearch: Sendable {
    typealias Boundary = SegmentDecider.Boundary
    typealias StretchFit = SegmentDecider.StretchFit

    let measures: FrameMeasures
    /// Each frame's presentation time (seconds).
    let starts: [Double]
    let options: AnalysisOptions
    let count: Int
    let histograms: FrameHistograms
    /// Each frame's change from the one before (0 for the first): the picture change (luma or colour, the
    /// larger), scaled down by how much of the luma change the camera motion explains.
    let scores: [Double]
    /// The distance of each frame's histograms from the one before's (``FrameHistograms/distance(_:_:)``).
    let histogramChanges: [Double]
    /// Each frame's mean brightness, 0-255.
    let brightness: [Double]
    /// Black as ``FrameQuality/isBlack`` defines it.
    let dark: [Bool]
    /// Each frame's variance of luma, for dissolves between moving shots (``varianceOfBlend(_:_:covariance:at:)``).
    let variances: [Double]
    /// How many frames on each side make a frame's neighbourhood, the changes its own is compared with: six
    /// (a quarter of a second at 25 fps), but no more than 0.6 s of them. A slideshow of one or two frames a
    /// second would otherwise put the next few pictures' cuts in the neighbourhood, where each hides the others.
    let reach: Int

    /// Works out the per-frame evidence of a video of at least two frames.
    init(measures: FrameMeasures, starts: [Double], options: AnalysisOptions) {
        let count = measures.frameCount
        self.measures = measures
        self.starts = starts
        self.options = options
        self.count = count
        let histograms = FrameHistograms(measures)
        self.histograms = histograms
        var scores = [Double](repeating: 0, count: count)
        var histogramChanges = [Double](repeating: 0, count: count)
        for i in 1..<count {
            let luma = measures.lumaChange(at: i)
            let explained = luma.plain > 0.5 ? luma.compensated / luma.plain : 1
            scores[i] = measures.distance(i, i - 1) * explained
            histogramChanges[i] = histograms.distance(i - 1, i)
        }
        self.scores = scores
        self.histogramChanges = histogramChanges
        brightness = measures.qualities.map { $0.brightness * 255 }
        dark = (0..<count).map { measures.qualities[$0].isBlack }
        variances = (0..<count).map { measures.covariance($0, $0) }
        let frameDuration = count > 1 ? (starts[count - 1] - starts[0]) / Double(count - 1) : 0
        reach = frameDuration > 0 ? min(6, Int(0.6 / frameDuration + 1e-9)) : 6
    }

    // MARK: - Neighbourhoods

    /// Median of `values[from..<to]` without `except`, and without the values
    /// below `floor` when one is given.
    private func median(_ values: [Double], _ from: Int, _ to: Int, except: Set<Int> = [], floor: Double? = nil) -> Double {
        var around: [Double] = []
        for j in max(1, from)..<min(values.count, to) where !except.contains(j) && values[j] >= (floor ?? -.infinity) {
            around.append(values[j])
        }
        guard !around.isEmpty else { return 0 }
        around.sort()
        return around[around.count / 2]
    }

    /// The changes `values` around frame `i` (not its own): their median, without those below `floor`
    /// unless all that reach it lie within three frames of `i`. Then the frames around hold still, and
    /// those few are one event with `i` (a white flash cut in between two still shots, a quick fade to
    /// white cut out of: two or three jumps, each of which was the others' whole neighbourhood, so that
    /// none stood out); a countdown leader drawn at a few pictures a second, its other frames repeats,
    /// changes all through the neighbourhood.
    func aroundMedian(_ values: [Double], _ i: Int, floor: Double? = nil) -> Double {
        let from = i - reach, to = i + reach + 1
        if let floor, !(max(1, from)..<min(values.count, to)).contains(where: { abs($0 - i) > 3 && values[$0] >= floor }) {
            return median(values, from, to, except: [i])
        }
        return median(values, from, to, except: [i], floor: floor)
    }

    /// A cut at `i`: a change that passes the threshold and stands out against the frames before and after.
    func cutsAt(_ i: Int) -> Bool {
        scores[i] >= options.threshold && scores[i] >= 3 * aroundMedian(scores, i) + 2
    }

    // MARK: - Fades

    /// Whether the change from frame `k` to frame `next` (one apart, either way) is a step of a ramp
    /// towards a run of black or of a flat picture rather than a cut into or out of it, when it stands out
    /// as a cut does: the step on the far side of `k` (from `k`'s other neighbour) comes the same way, at
    /// least a quarter as far and two levels, and `k` is a blend of the frames either side of it.
    /// `farness` is how far a frame is from the run's picture. A quick fade takes steps as large as a
    /// cut's (a dip to black or to white over four or five frames, as editors and xfade's `fadeblack` and
    /// `fadewhite` make it: 143, 123, 85, 45, 15, 5), but a shot cut into black holds its level up to the
    /// cut, and cards of other colours cut one after the other into black are no blends.
    private func rampGoesOn(_ farness: (Int) -> Double, from k: Int, to next: Int) -> Bool {
        let before = 2 * k - next
        guard before >= 0, before < count else { return false }
        let step = farness(k) - farness(next)
        guard farness(before) - farness(k) >= max(2, 0.25 * step) else { return false }
        let (a, b) = (min(before, next), max(before, next)), change = measures.distance(a, b)
        return Self.blendsWithin(from: a, to: b, change: change) { measures.blendFit(a, $0, b) }
            && Self.blendsWithin(from: a, to: b, change: change) { measures.colorBlendFit(a, $0, b) }
    }

    /// The first frame of the brightness ramp into black at `i` (going back from it).
    private func rampStart(_ i: Int) -> Int {
        var k = i
        while k > 0, i - k < 60, brightness[k - 1] > brightness[k] + 0.3,
              !cutsAt(k) || rampGoesOn({ brightness[$0] }, from: k - 1, to: k) { k -= 1 }
        return k
    }

    /// The end of the brightness ramp out of black at `j`.
    private func rampEnd(_ j: Int) -> Int {
        var k = j
        while k < count - 1, k - j < 60, brightness[k + 1] > brightness[k] + 0.3,
              !cutsAt(k + 1) || rampGoesOn({ brightness[$0] }, from: k + 1, to: k) { k += 1 }
        return k + 1
    }

    /// The one boundary of a run of black or of a solid picture, frames `[i, j)`, whose fades span
    /// `[first, end)`: the cut into it (a jump from a shot holding its level), else the cut out of it,
    /// else a fade in its middle. `farness` is how far a frame is from the run's picture.
    private func boundary(ofRun i: Int, _ j: Int, first: Int, end: Int, farness: (Int) -> Double) -> Boundary {
        if cutsAt(i), !rampGoesOn(farness, from: i - 1, to: i) {
            return Boundary(frame: i, kind: .cut, strength: 255, spanStart: i, spanEnd: i)
        }
        if cutsAt(j), !rampGoesOn(farness, from: j, to: j - 1) {
            return Boundary(frame: j, kind: .cut, strength: 255, spanStart: j, spanEnd: j)
        }
        return Boundary(frame: i + (j - i + 1) / 2, kind: .fade, strength: 255, spanStart: first, spanEnd: end)
    }

    /// Runs of black, then runs of a flat picture other than black faded into or out of: one boundary each
    /// inside the video, and the frames each spans with its ramps (also at the start and end), which no
    /// cut or dissolve may touch.
    func fades() -> (boundaries: [Boundary], spans: [(Int, Int)]) {
        var found: [Boundary] = []
        var spans: [(Int, Int)] = []
        var i = 0
        while i < count {
            guard dark[i] else { i += 1; continue }
            var j = i
            while j < count && dark[j] { j += 1 }
            let first = i > 0 ? rampStart(i) : 0, end = j < count ? rampEnd(j) : count
            spans.append((first, end))
            if i > 0 && j < count { found.append(boundary(ofRun: i, j, first: first, end: end, farness: { brightness[$0] })) }
            i = j
        }
        // Runs of a flat picture other than black faded into or out of (a dip to white between two
        // shots): one boundary each, as a black run makes, where the shots on either side differ. The
        // ramps into and out of it are the frames that come steadily nearer the flat picture. Left to
        // the cuts: a run with the same shot on both sides (a flash, a dip inside one shot; the
        // cuts know flashes), and a plain card cut into and out of (a shot of its own).
        /// A solid picture well above black: contrast under 0.01 (a smooth gradient's, flat by
        /// ``FrameQuality/isFlat``, is near 0.03, and moving it comes nearer and nearer another);
        /// what is near black belongs to the black runs and their ramps (and what a run before has taken, to that).
        func flatLight(_ k: Int) -> Bool {
            measures.qualities[k].contrast < 0.01 && brightness[k] >= 48 && !spans.contains { k >= $0.0 && k < $0.1 }
        }
        i = 0
        while i < count {
            guard flatLight(i) else { i += 1; continue }
            var j = i
            while j < count, flatLight(j) { j += 1 }
            defer { i = j }
            guard i > 0, j < count else { continue }
            var first = i
            while first > 0, i - first < 60, measures.distance(first - 1, i) > measures.distance(first, i) + 0.3,
                  !cutsAt(first) || rampGoesOn({ measures.distance($0, i) }, from: first - 1, to: first) { first -= 1 }
            var end = j
            while end < count, end - j < 60, measures.distance(end, j - 1) > measures.distance(end - 1, j - 1) + 0.3,
                  !cutsAt(end) || rampGoesOn({ measures.distance($0, j - 1) }, from: end, to: end - 1) { end += 1 }
            guard first < i || end > j, first > 0, end < count, measures.distance(first - 1, end) >= options.threshold else { continue }
            // A fade is a blend of the shot and the flat picture, frame after frame: a thing moving away
            // into a grey sky also comes steadily nearer a flat picture, and is no fade.
            func blends(_ a: Int, _ b: Int) -> Bool {
                b - a < 2 || Self.blendsWithin(from: a, to: b, change: measures.distance(a, b)) { measures.blendFit(a, $0, b) }
            }
            guard blends(first - 1, i), blends(j - 1, end) else { continue }
            spans.append((first, end))
            found.append(boundary(ofRun: i, j, first: first, end: end, farness: { measures.distance($0, i) }))
        }
        return (found, spans)
    }

    // MARK: - Hard cuts

    /// The hard cuts outside the fades' `spans`.
    func cuts(outside spans: [(Int, Int)]) -> [Boundary] {
        var found: [Boundary] = []
        for i in 1..<count where !spans.contains(where: { i >= $0.0 && i < $0.1 }) {
            // The activity around: a repeated frame (footage converted to a higher rate, a
            // webcam dropping frames) changes nothing and says nothing about it.
            let local = aroundMedian(scores, i, floor: 0.5)
            let standsOut = scores[i] >= 3 * local + 2
            // Strong change, or a weaker one (similar palettes) that still stands well out and changes the histograms,
            // and is clearly the largest change around: inside a burst of changes (a hand moving in front of
            // the lens, exposure hunting) a weak one is more of the same, not a cut.
            let strong = scores[i] >= options.threshold && standsOut
            var largestAround = 0.0
            for j in max(1, i - reach)..<min(count, i + reach + 1) where j != i { largestAround = max(largestAround, scores[j]) }
            let similarShots = scores[i] >= 0.5 * options.threshold && scores[i] >= 5 * local + 3
                && histogramChanges[i] >= 3 * aroundMedian(histogramChanges, i) + 0.05
                && scores[i] >= 1.25 * largestAround
            guard strong || similarShots else { continue }
            // A weak change of brightness alone is lighting, not a cut: the structure must change too.
            guard strong || measures.structuralDistance(i - 1, i) >= 0.35 * scores[i] else { continue }
            if isFlash(at: i, score: scores[i]) { continue }
            found.append(Boundary(frame: i, kind: .cut, strength: scores[i], spanStart: i, spanEnd: i))
        }
        return found
    }

    /// Whether the jump at `i` is part of a 1-3 frame flash: the picture before the jump comes back soon, or
    /// the picture after it was there just before. "Back" is within 0.3 of the jump (a flash need not leave
    /// the picture quite as it was), but no further than a cut's threshold or twice what the shot itself
    /// changes over as many frames (it moves on while the flash lasts): a white flash jumps by 190 levels,
    /// and two still shots it was cut in between, 50 levels apart, passed for one.
    private func isFlash(at i: Int, score: Double) -> Bool {
        /// How near frames `a` and `b` must be to be one picture, the shot changing by `drift` over as many frames.
        func alike(_ a: Int, _ b: Int, drift: Double) -> Bool {
            measures.distance(a, b) < max(4, min(0.3 * score, max(options.threshold, 2 * drift)))
        }
        for lag in 2...4 {
            // Old picture back: frame i - 1 + lag is like frame i - 1.
            if i - 1 + lag < count,
               alike(i - 1, i - 1 + lag, drift: i - 1 - lag >= 0 ? measures.distance(i - 1 - lag, i - 1) : 0) { return true }
            // New picture seen before: frame i is like frame i - lag.
            if i - lag >= 0, alike(i, i - lag, drift: i + lag < count ? measures.distance(i, i + lag) : 0) { return true }
        }
        return false
    }

    // MARK: - Blends

    /// The residuals the frames of a stretch may leave and still be blends of its ends `change` apart
    /// (0-255): on average an eighth of the change, at worst a quarter, and a level more for the
    /// encoder's noise. A stretch the motion estimator reads as moving is held closer (in the search).
    static func blendAllowance(_ change: Double) -> (mean: Double, worst: Double) {
        (0.12 * change + 1, 0.25 * change + 1)
    }

    /// Whether every frame strictly between `a` and `b` is a blend of them by `fit` within
    /// ``blendAllowance(_:)`` (the joins and the fades through a solid picture, which test all or nothing).
    static func blendsWithin(from a: Int, to b: Int, change: Double, fit: (Int) -> (t: Double, residual: Double)?) -> Bool {
        let allowed = blendAllowance(change)
        return blend(from: a, to: b, middle: a, change: change, meanAllowed: allowed.mean, worstAllowed: allowed.worst, fit: fit) != nil
    }

    /// The frames strictly between `a` and `b` as blends of them by `fit`: their mean residual, and the fit of
    /// frame `middle`. Nil as soon as a frame makes the stretch fail whatever the others are: it has no fit,
    /// its share goes back by more than 0.15, its residual reaches `worstAllowed`, or the residuals so far
    /// (over all the frames between) reach `meanAllowed` or `ratioBelow` of `change` (sums and the worst only grow).
    static func blend(from a: Int, to b: Int, middle: Int, change: Double, meanAllowed: Double, worstAllowed: Double,
                      ratioBelow: Double = .infinity,
                      fit: (Int) -> (t: Double, residual: Double)?) -> StretchFit? {
        let between = Double(b - a - 1)
        var residual = 0.0, worst = 0.0, previousShare = 0.0
        var middleFit = (t: 0.0, residual: 0.0)
        var farEndLeads: Int?
        for k in (a + 1)..<b {
            guard let fit = fit(k) else { return nil }
            if farEndLeads == nil, fit.t >= 0.5 { farEndLeads = k }
            residual += fit.residual
            worst = max(worst, fit.residual)
            if k == middle { middleFit = fit }
            if fit.t < previousShare - 0.15 || worst >= worstAllowed || residual / between >= meanAllowed
                || residual / between / change >= ratioBelow {
                return nil
            }
            previousShare = max(previousShare, fit.t)
        }
        return StretchFit(residual: residual / between, middle: middleFit, farEndLeads: farEndLeads)
    }
}
