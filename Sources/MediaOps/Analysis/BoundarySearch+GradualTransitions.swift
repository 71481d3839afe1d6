import Foundation

/// Gradual transitions: dissolves, wipes, pushes, covers and reveals, and sweeps between shots that go on
/// moving. Half-lengths of 4 to 16 frames are tested around each frame (``gradualTransition(around:fadeSpans:cutFrames:)``);
/// the best of each overlapping group is kept, away from the fades and cuts found before, and those that
/// meet end to end are joined into one.
extension BoundarySearch {
    /// The gradual transitions outside the fades' `fadeSpans` and away from the boundaries `found` so far
    /// (fades and cuts), in frame order.
    func gradualTransitions(outside fadeSpans: [(Int, Int)], awayFrom found: [Boundary]) -> [Boundary] {
        let cutFrames = Set(found.filter { $0.kind == .cut }.map(\.frame))
        let workers = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        var candidates = FrameStripes.map(4..<max(4, count - 4), workers: workers) {
            gradualTransition(around: $0, fadeSpans: fadeSpans, cutFrames: cutFrames)
        }.compactMap { $0 }
        // Keep the best candidate of each overlapping group, away from other boundaries.
        candidates.sort { $0.strength > $1.strength }
        var kept: [Boundary] = []
        for candidate in candidates {
            if kept.contains(where: { candidate.spanStart <= $0.spanEnd && candidate.spanEnd >= $0.spanStart }) { continue }
            if found.contains(where: { $0.frame >= candidate.spanStart - 1 && $0.frame <= candidate.spanEnd }) { continue }
            kept.append(candidate)
        }
        kept.sort { $0.frame < $1.frame }
        return joined(kept, awayFrom: found)
    }

    /// A dissolve longer than the longest stretch tested (33 frames: a second and a half at 24 fps) is
    /// found as two or more that meet end to end (a two-second dissolve at 25 fps made two boundaries).
    /// They are one when every frame between the outer ends is a blend of those, by the test that found
    /// them, and no other boundary lies there. So are two whose spans leave between them less than a
    /// segment's minimum length of frames that neither spans: too little to be a shot of their own (a
    /// cube turning from one shot to the other over a second, its middle frames half black, was found
    /// as the sweeps at its two ends, 0.3 s apart). `transitions` are in frame order.
    private func joined(_ transitions: [Boundary], awayFrom found: [Boundary]) -> [Boundary] {
        let threshold = options.threshold
        var joined: [Boundary] = []
        for next in transitions {
            if let last = joined.last {
                let a = last.spanStart - 1, b = min(count - 1, next.spanEnd)
                let change = a >= 0 ? measures.distance(a, b) : 0
                let clear = !found.contains { $0.frame >= a && $0.frame <= b }
                let noShotBetween = starts[min(count - 1, next.spanStart)] - starts[min(count - 1, last.spanEnd)] < options.minimumLength
                func blendsThrough() -> Bool {
                    next.spanStart - last.spanEnd <= 4
                        && (Self.blendsWithin(from: a, to: b, change: change, fit: { measures.blendFit(a, $0, b) })
                            || (change >= 2 * threshold
                                && Self.blendsWithin(from: a, to: b, change: change, fit: { measures.blendFitOfMost(a, $0, b) })))
                }
                if a >= 0, clear, change >= threshold, noShotBetween || blendsThrough() {
                    joined[joined.count - 1] = Boundary(frame: (last.spanStart + next.spanEnd) / 2,
                                                        kind: next.strength > last.strength ? next.kind : last.kind,
                                                        strength: max(last.strength, next.strength),
                                                        spanStart: last.spanStart, spanEnd: next.spanEnd)
                    continue
                }
            }
            joined.append(next)
        }
        return joined
    }

    /// The best gradual transition centred on frame `m`, if any: of the stretches of half-length 4 to 16
    /// frames around it that lie outside `fadeSpans` and hold none of `cutFrames`, the one whose frames fit
    /// best (a fit of the pictures at any half-length is taken over a sweep, which is found by histograms).
    ///
    /// The half-lengths are tried in order and share the best fit so far: each fit stops as soon as it
    /// cannot do better (``HalfLengthSearch``).
    func gradualTransition(around m: Int, fadeSpans: [(Int, Int)], cutFrames: Set<Int>) -> Boundary? {
        guard !dark[m], !fadeSpans.contains(where: { m >= $0.0 && m < $0.1 }) else { return nil }
        var search = HalfLengthSearch()
        for half in [4, 5, 6, 8, 10, 12, 16] {
            guard let stretch = stretch(around: m, half: half, fadeSpans: fadeSpans, cutFrames: cutFrames),
                  let found = fit(stretch, search: search) else { continue }
            // Better than the best half-length so far (the fitting stopped otherwise).
            if found.byHistograms { search.sweepRatio = found.ratio } else { search.bestRatio = found.ratio }
            search.bestIsSweep = found.byHistograms
            search.best = placed(found, in: stretch)
        }
        return search.best
    }

    /// What the half-lengths tried around one frame share: the best transition so far and how well it fitted.
    struct HalfLengthSearch {
        var best: Boundary?
        /// The best fit's residual over the change, of the pictures; a fit must come below it.
        var bestRatio = 0.25
        /// A sweep's ratio is of histograms, not pictures: the two are not compared. A fit of the pictures at
        /// any half-length is taken over a sweep, and a sweep only tried while none has fitted.
        var sweepRatio = 0.25
        var bestIsSweep = false
    }

    /// A stretch of frames `[a, b]` around a middle frame that passed the tests before any fit, and what
    /// those tests measured of it that the fits use.
    struct Stretch {
        let a: Int, b: Int, middle: Int
        /// How far apart the ends are.
        let change: Double
        /// The share of the picture that changes between the ends.
        let changedShare: Double
        /// Frames looked at either side for the change going on around the stretch.
        let around: Int
        /// The picture changes at most half as much around the stretch as within it.
        let steadyAround: Bool
        /// The median motion per frame over the stretch (pan and zoom, summed).
        let travel: Float
        /// The motion summed over the stretch, per component.
        let moved: (dx: Float, dy: Float, zoom: Float)
        /// The camera (or the estimator, in mixed pictures) sees a move.
        let moving: Bool
        /// Ends that differ strongly: the looser tests (a moving stretch, most of what changes) need it.
        let strongChange: Bool
        /// Ends with detail: smooth content (a gradient) moves in ways that fit a blend, or mix histograms.
        let endsHaveDetail: Bool
        /// Whether the frames between can be fitted as mixes of the ends as they are.
        var picturesFit: Bool { steadyAround && (!moving || (strongChange && endsHaveDetail)) }
    }

    /// The stretch of half-length `half` around `m`, when it passes the tests that need no fit: outside the
    /// fades, ends far enough apart that are shots with structure, no cut or single jump inside, steady
    /// before and after, and two different shots rather than one under other light or partly changing.
    func stretch(around m: Int, half: Int, fadeSpans: [(Int, Int)], cutFrames: Set<Int>) -> Stretch? {
        let threshold = options.threshold
        let a = m - half, b = m + half
        guard a >= 1, b < count - 1 else { return nil }
        guard !fadeSpans.contains(where: { a < $0.1 && b >= $0.0 }) else { return nil }
        let change = measures.distance(a, b)
        guard change >= threshold else { return nil }
        // Two shots with structure, differing in structure: a fade through a flat
        // picture (black, white) is a brightness ramp, not a dissolve.
        guard measures.qualities[a].contrast > 0.05, measures.qualities[b].contrast > 0.05,
              measures.structuralDistance(a, b) >= 0.5 * threshold else { return nil }
        // No single jump inside: a cut is not a dissolve.
        var largestStep = 0.0
        for k in (a + 1)...b { largestStep = max(largestStep, scores[k]) }
        guard largestStep < 0.4 * change, !((a + 1)...b).contains(where: { cutFrames.contains($0) }) else { return nil }
        // Steady before and after: the ends are shots, not more motion.
        guard scores[a] < 0.25 * change, scores[b + 1] < 0.25 * change else { return nil }
        // The change belongs to this stretch: as long before it and after it, the
        // picture changes at most half as much (a slow drift of light or a slow zoom
        // goes on around it), and it changes by at least one level a frame on average.
        // Where the video begins or ends sooner, the frames there are held to the same
        // rate (discs turning through a one-second clip otherwise passed as a dissolve of
        // twenty frames, for want of frames around it to show the drift). Shots that move
        // change their pictures around it too: between those only a sweep may be found.
        let around = max(4, half)
        let before = max(0, a - around), after = min(count - 1, b + around)
        let steadyAround = measures.distance(before, a) * Double(around) <= 0.5 * change * Double(a - before)
            && measures.distance(b, after) * Double(around) <= 0.5 * change * Double(after - b)
        guard change >= Double(b - a), steadyAround || change >= 2 * threshold else { return nil }
        // Two different shots, not one (a pass over the tiny pictures, after the cheaper tests
        // above): not the same view under other light (a webcam's exposure settling, a title
        // card's background brightening: correlation 0.98 and 0.999; a slow zoom into a Mandelbrot
        // set whose colours shift as it goes, 0.86, was a dissolve below 0.9; the 247 dissolves
        // found on the spliced benchmark's ten seeds at most 0.68, at the ends of their blends), and
        // not a shot of which only a part changes (colour bars scrolling behind a test card's
        // captions: a fifth to two fifths of the picture changes; in those dissolves two
        // thirds or more).
        guard measures.correlation(a, b) < 0.8 else { return nil }
        let changedShare = measures.changedShare(a, b)
        guard changedShare >= 0.5 else { return nil }
        // A camera move is not a dissolve: the motion measured (its median, as the
        // estimator sees noise in the mixed pictures) stays small. A zoom of 0.15% a
        // frame (5% a second at 30 fps) is already a camera move. When the frames fit
        // the blend closely, a shot may move while it dissolves, up to four times
        // that, as long as no steady move runs through the stretch: the median of
        // each component, sign kept, stays small (a tilt or a zoom keeps its sign;
        // the noise of mixed pictures does not).
        var travels: [Float] = [], steady: [[Float]] = [[], [], []]
        for k in (a + 1)...b {
            let motion = measures.motions[k]
            travels.append(abs(motion.dx) + abs(motion.dy) + abs(motion.zoom))
            steady[0].append(motion.dx); steady[1].append(motion.dy); steady[2].append(motion.zoom)
        }
        travels.sort()
        let travel = travels[travels.count / 2]
        let steadyMove = steady.map { abs($0.sorted()[$0.count / 2]) }.max() ?? 0
        let moved = (dx: steady[0].reduce(0, +), dy: steady[1].reduce(0, +), zoom: steady[2].reduce(0, +))
        // But the motion is measured by an estimator that sees one picture in each frame, and a
        // blend of two unlike pictures can look to it like a move (a dissolve from a rabbit into a
        // webcam's room read as a pan of 3 % a frame, steady over twelve frames). A camera move over
        // detail is never a blend of its ends frame after frame, so a moving stretch is still a
        // dissolve when every frame between fits the blend almost exactly, its ends have detail
        // (smooth content, a gradient, moves in a way that fits a blend at the tiny pictures'
        // scale) and differ strongly. The fitting stops at the first frame that does not
        // fit: moving footage costs a fit or two per stretch.
        let moving = travel >= 0.006 || (travel >= 0.0015 && steadyMove >= 0.0025)
        return Stretch(a: a, b: b, middle: m, change: change, changedShare: changedShare, around: around,
                       steadyAround: steadyAround, travel: travel, moved: moved, moving: moving,
                       strongChange: change >= 2 * threshold,
                       endsHaveDetail: min(measures.qualities[a].sharpness, measures.qualities[b].sharpness) >= 0.001)
    }

    /// How the frames of a stretch fitted a transition: the fit, its kind, its residual over the change,
    /// and whether it was of the histograms (a sweep) rather than of the pictures.
    struct StretchFitting {
        var fit: StretchFit
        var kind: TransitionKind
        var ratio: Double
        var byHistograms: Bool
        /// How far apart the ends are, as the fit measures it.
        var apartEnds: Double
    }

    /// The transition the frames of `stretch` fit better than the best half-length so far (`search`), if
    /// any: a dissolve, a wipe, a push, a cover or reveal, a dissolve of most of what changes, a sweep or a
    /// dissolve between moving shots, tried in that order; the first that fits is taken.
    func fit(_ stretch: Stretch, search: HalfLengthSearch) -> StretchFitting? {
        let a = stretch.a, b = stretch.b, m = stretch.middle, change = stretch.change
        let picturesFit = stretch.picturesFit, moving = stretch.moving, strongChange = stretch.strongChange
        // Every frame between is a mix of the ends (fitted share `t`, whatever the
        // timing), the share growing from one end to the other: a camera move, a
        // zoom or a lighting change between two looks is not a blend all along.
        // The fitting stops as soon as it cannot fit better than the best half-length found so far.
        let allowance = Self.blendAllowance(change)
        let meanAllowed = moving ? 0.05 * change : allowance.mean
        let worstAllowed = moving ? 0.1 * change : allowance.worst
        func blendsAlong(_ fit: (Int) -> (t: Double, residual: Double)?) -> StretchFit? {
            Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: meanAllowed, worstAllowed: worstAllowed,
                       ratioBelow: search.bestRatio, fit: fit)
        }
        // The whole picture blends; or, between still ends that differ strongly, most of what
        // changes does (``FrameMeasures/blendFitOfMost(_:_:_:)``: hands typing in the shot that
        // comes in). Not for weaker changes: there a thing moving in one shot is most of what
        // changes (the hands over a keyboard alone, 21 levels over ten frames, fit it).
        var blend = picturesFit ? blendsAlong { measures.blendFit(a, $0, b) } : nil
        // Or a wipe: the new shot sweeps in part by part, each part as it is (an edge, an iris, a clock
        // hand), ``FrameMeasures/wipeFit(_:_:_:)``. Only where the ends differ over three quarters of the
        // picture and every frame fits within a twentieth of the change: a flat sheet of paper raised
        // before a webcam covers the picture the same way at the analysis's scale (its frames fit at 7 to 10 %
        // of the change, over four fifths of the picture), so a wipe between shots that move much (they
        // fit at 6 to 9 %) is left to the histograms (the sweep below).
        var kind = TransitionKind.dissolve
        if picturesFit, blend == nil, stretch.changedShare >= 0.75,
           let wipe = Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: 0.05 * change,
                                 worstAllowed: worstAllowed, ratioBelow: search.bestRatio, fit: { measures.wipeFit(a, $0, b) }) {
            blend = wipe
            kind = .wipe
        }
        // Or a push (a slide): the two pictures move across together, the old one going out on one side
        // and the new one coming in from the other. The motion estimator reads it as a pan of one
        // picture's length over the stretch; each frame between must then be the window of the two
        // pictures side by side that the move has reached (``FrameMeasures/pushResidual``), to within
        // a pixel and a half of the tiny picture either way of what the measured move says.
        if picturesFit, blend == nil, moving,
           let push = pushAlong(a, b, moved: (stretch.moved.dx, stretch.moved.dy), change: change, meanAllowed: allowance.mean,
                                worstAllowed: allowance.worst, ratioBelow: search.bestRatio) {
            blend = push
            kind = .wipe
        }
        // Or one picture sliding over the other held still (a cover, a reveal), where the ends differ
        // over three quarters of the picture, every frame within 8 % of the change on average and 15 %
        // at worst. Measured with the covers and reveals of bench/transitions.sh (32 between real single
        // shots, which go on moving: 13 found) and the ten spliced seeds: searching every offset (not
        // only those near the still part's edge), 10 % and 20 % found 22 with no false boundary, but
        // 12 % and 25 % made 11 false ones on the seeds and one where the paper is raised before the
        // webcam in awesome_movie.mov.
        if picturesFit, blend == nil, stretch.changedShare >= 0.75,
           let slide = slideOver(a, b, change: change, meanAllowed: 0.08 * change,
                                 worstAllowed: 0.15 * change, ratioBelow: search.bestRatio) {
            blend = slide
            kind = .wipe
        }
        if picturesFit, blend == nil, !moving, strongChange { blend = blendsAlong { measures.blendFitOfMost(a, $0, b) } }
        // Or, between ends that differ strongly over three quarters of the picture, a sweep between shots
        // that move, told by the histograms (``sweep(_:_:around:moved:ratioBelow:)``).
        if blend == nil, search.best == nil || search.bestIsSweep, strongChange, stretch.changedShare >= 0.75, stretch.endsHaveDetail,
           let swept = sweep(a, b, around: stretch.around, moved: stretch.moved, ratioBelow: search.sweepRatio) {
            guard swept.fit.middle.t > 0.2, swept.fit.middle.t < 0.8 else { return nil }
            return StretchFitting(fit: swept.fit, kind: .wipe, ratio: swept.fit.residual / swept.change, byHistograms: true,
                                  apartEnds: swept.change)
        }
        var ratio = blend.map { $0.residual / change } ?? 0
        // The moving shot (above) only when the frames fit the blend closely.
        guard stretch.travel < 0.0015 || ratio < 0.15 else { return nil }
        // Or a dissolve between shots that go on moving (``varianceDissolve(_:_:middle:change:ratioBelow:)``):
        // only where the ends differ strongly over three quarters of the picture and the tests on the
        // pictures cannot hold (they move, or the picture changes around the stretch): where they can,
        // a wipe's frames fit it too.
        if blend == nil, !picturesFit, strongChange, stretch.changedShare >= 0.75, stretch.endsHaveDetail,
           let fit = varianceDissolve(a, b, middle: m, change: change, ratioBelow: search.bestRatio) {
            blend = fit
            kind = .dissolve
            ratio = fit.residual / change
        }
        guard let blend, blend.middle.t > 0.2, blend.middle.t < 0.8 else { return nil }
        return StretchFitting(fit: blend, kind: kind, ratio: ratio, byHistograms: false, apartEnds: change)
    }

    /// The boundary a fitted stretch makes: its span, from the first frame that has left `a` to the last
    /// that has not reached `b`, and its frame, the span's middle or, for a blend, where the new shot leads.
    func placed(_ found: StretchFitting, in stretch: Stretch) -> Boundary {
        let a = stretch.a, b = stretch.b, m = stretch.middle
        // How far apart two frames are, as the fit that found the stretch measures it.
        let apart: (Int, Int) -> Double = found.byHistograms ? { histograms.distance($0, $1) } : { measures.distance($0, $1) }
        var first = a + 1, last = b - 1
        while first < m, apart(a, first) < 0.1 * found.apartEnds { first += 1 }
        while last > m, apart(last, b) < 0.1 * found.apartEnds { last -= 1 }
        // Its middle: the first frame that holds more of the new shot than of the old, by the fit. The
        // middle of the span above is that only when the shots hold still around it: where the new shot
        // goes on moving after the blend, its frames stay far from `b`, the span runs on past the blend's
        // end, and so did its middle (seed 4181 of bench/shots.sh: a dissolve over frames [988, 1002)
        // that ran into a pan to the right, tested up to frame 1019, spanned [990, 1017) and was put
        // at frame 1003, past its last frame; by the shares, at 999). Only for blends: the shares a wipe's
        // fit gives (of the picture's parts, or of the histograms) do not grow with time as evenly, and
        // put the wipes of bench/transitions.sh 2.2 frames from their middle on average instead of 0.9;
        // its dissolves and irises came nearer theirs (1.8 -> 1.6 frames over its 272 transitions found).
        var frame = (first + last + 1) / 2
        if found.kind == .dissolve, let leads = found.fit.farEndLeads { frame = min(max(leads, first), last) }
        return Boundary(frame: frame, kind: found.kind, strength: stretch.change * (1 - found.ratio),
                        spanStart: first, spanEnd: last + 1)
    }

    // MARK: - Dissolves between moving shots

    /// The variance frame `a` and frame `b` mixed at share `t` of `b` would have: each picture's own
    /// weighed by the square of its share, and their covariance (about nothing between different shots).
    func varianceOfBlend(_ a: Int, _ b: Int, covariance: Double, at t: Double) -> Double {
        (1 - t) * (1 - t) * variances[a] + t * t * variances[b] + 2 * t * (1 - t) * covariance
    }

    /// The stretch from `a` to `b` as a dissolve between shots that go on moving, where no frame is a mix
    /// of the ends as they are (the fits of the pictures fail by 15 to 40 % of the change, and still do with
    /// each end moved by its shot's measured motion: the motion is the things' in the shots, not the
    /// camera's). What a blend does to the picture whatever moves in it: its variance drops, to the ends'
    /// weighed by the squares of their shares (a quarter of each halfway through) and their covariance, where
    /// moving leaves a picture's variance as it was and a lighting change scales it evenly. Each frame
    /// between, at the share that fits it best, must have the variance of that mix (``blendVariance``), and
    /// the mix's halfway must be a clear dip (``blendVarianceDip``).
    func varianceDissolve(_ a: Int, _ b: Int, middle m: Int, change: Double, ratioBelow: Double) -> StretchFit? {
        let covariance = measures.covariance(a, b)
        let t = min(1, max(0, measures.blendFit(a, m, b).t))
        guard varianceOfBlend(a, b, covariance: covariance, at: t) <= Self.blendVarianceDip * ((1 - t) * variances[a] + t * variances[b])
        else { return nil }
        return Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: Self.blendVariance.mean * change,
                          worstAllowed: Self.blendVariance.worst * change, ratioBelow: ratioBelow, fit: { k in
                              let t = min(1, max(0, measures.blendFit(a, k, b).t))
                              let expected = varianceOfBlend(a, b, covariance: covariance, at: t)
                              return (t, abs(variances[k] - expected) / max(expected, 1) * change)
                          })
    }

    /// How far the variance of each frame of a dissolve between moving shots may stay from the variance of the
    /// mix of its ends at its share, as a share of that variance: on average and at worst. With the mix's halfway
    /// at most ``blendVarianceDip`` of the ends' variances mixed evenly. Measured on thirteen seeds of
    /// bench/shots.sh (1482 transitions, 17 dissolves missed before, nearly all into or out of foreman's turn
    /// or the hands typing of ffmpeg-concat's 0.mp4), bench/transitions.sh and the corpus's 118 videos: these
    /// found two of the seeds' dissolves, a blur and a slice of bench/transitions.sh and the grid of squares of
    /// ffmpeg-concat's example, and no boundary that is none. Looser (tried before the histograms' sweep): 0.1,
    /// 0.25 and a dip of 0.85 made 52 boundaries that are none, 0.07, 0.15 and 0.7 one; tighter (0.03, 0.08; or
    /// a dip of 0.6) found one dissolve fewer. Let into stretches whose pictures hold still around them too, it
    /// found one more of the seeds' dissolves but named two wipes dissolves.
    static let blendVariance = (mean: 0.05, worst: 0.12)
    /// See ``blendVariance``.
    static let blendVarianceDip = 0.7

    // MARK: - Pushes, covers and reveals, sweeps

    /// How much a push's seam must stand out (``FrameMeasures/seamContrast(_:_:offset:horizontal:newAtEnd:)``).
    static let seamAtLeast = 0.75
    /// How much the seam of a push must stand out where it is seen in the frames between
    /// (``FrameMeasures/seamContrast(in:at:horizontal:)``).
    static let seamSeenAtLeast = 0.9

    /// The stretch from `a` to `b` as a push, as ``blend(from:to:middle:change:meanAllowed:worstAllowed:ratioBelow:fit:)``
    /// fits it, when the motion measured over it adds up to one picture's length along one axis (0.9 to 1.1 of
    /// it: every push of bench/transitions.sh measures 0.91-1.02; a pan's ends further from one picture's
    /// length apart leave a gap or an overlap, whose edges the seam test reads as two pictures meeting)
    /// and little across. `moved` is the motion measured over the stretch, summed (the dissolve search has it).
    func pushAlong(_ a: Int, _ b: Int, moved summed: (dx: Float, dy: Float), change: Double, meanAllowed: Double,
                   worstAllowed: Double, ratioBelow: Double) -> StretchFit? {
        let sumX = Double(summed.dx), sumY = Double(summed.dy)
        let horizontal = abs(sumX) >= abs(sumY)
        let along = horizontal ? sumX : sumY, across = horizontal ? sumY : sumX
        guard abs(along) >= 0.9, abs(along) <= 1.1, abs(across) < 0.15 else { return nil }
        let length = Double(horizontal ? measures.tinyWidth : measures.tinyHeight)
        var moved = 0.0
        var movedBy = [Double](repeating: 0, count: b - a + 1)
        for k in (a + 1)...b {
            moved += Double(horizontal ? measures.motions[k].dx : measures.motions[k].dy)
            movedBy[k - a] = moved / abs(along)
        }
        /// How far frame `k` is from the model at its best shift within a pixel and a half (six quarters) of
        /// the move measured up to it, and that shift.
        func fitted(at k: Int, oldMoves: Bool, newMoves: Bool) -> (residual: Double, shift: Double) {
            let expected = movedBy[k - a] * length
            var best = (residual: Double.infinity, shift: expected)
            for step in -6...6 {
                let shift = expected + Double(step) * 0.25
                let residual = measures.pushResidual(a, k, b, shift: shift, horizontal: horizontal, oldMoves: oldMoves, newMoves: newMoves)
                if residual < best.residual { best = (residual, shift) }
            }
            return best
        }
        func residual(at k: Int, oldMoves: Bool, newMoves: Bool) -> Double { fitted(at: k, oldMoves: oldMoves, newMoves: newMoves).residual }
        // Where the pictures meet in each frame, as fitted.
        var seams = [Double](repeating: 0, count: b - a + 1)
        guard let push = Self.blend(from: a, to: b, middle: (a + b) / 2, change: change, meanAllowed: meanAllowed,
                                    worstAllowed: worstAllowed, ratioBelow: ratioBelow, fit: { k in
                                        let fit = fitted(at: k, oldMoves: true, newMoves: true)
                                        seams[k - a] = along < 0 ? length - abs(fit.shift) : abs(fit.shift)
                                        return (t: min(1, abs(movedBy[k - a])), residual: fit.residual)
                                    })
        else { return nil }
        // Both pictures must be seen to move: the frames fit a push clearly better (by a third) than one
        // picture sliding over the other held still. A sheet of paper pulled down from before a webcam
        // over a dark room fits a push within a tenth of the change, and a reveal better still.
        for (oldMoves, newMoves) in [(true, false), (false, true)] {
            var other = 0.0
            for k in (a + 1)..<b { other += residual(at: k, oldMoves: oldMoves, newMoves: newMoves) }
            guard push.residual * 1.5 <= other / Double(b - a - 1) else { return nil }
        }
        // And they must be two pictures: a camera panning one picture's length over one scene makes the same
        // frames (a quick pan, a whip, made a wipe in 28 of 32 generated single shots), but where its ends meet
        // the scene goes on (``FrameMeasures/seamContrast(_:_:offset:horizontal:newAtEnd:)``).
        let offset = Int((abs(along) * length).rounded())
        guard measures.seamContrast(a, b, offset: offset, horizontal: horizontal, newAtEnd: along < 0) >= Self.seamAtLeast else { return nil }
        // Seen in the frames between too, where the pictures meet as fitted, in those where that line is in
        // the picture's middle three fifths (``FrameMeasures/seamContrast(in:at:horizontal:)``, the median):
        // the ends laid side by side hold only as well as the move adds up, and the estimator loses a pixel
        // or two of a quick pan. Measured on 66 generated whips: 20 with a push candidate that passed the
        // ends' test, 6 that pass both; the pushes of bench/transitions.sh keep every candidate that passed.
        var seen = ((a + 1)..<b).filter { seams[$0 - a] >= 0.2 * length && seams[$0 - a] <= 0.8 * length }
            .map { measures.seamContrast(in: $0, at: seams[$0 - a], horizontal: horizontal) }
        seen.sort()
        guard !seen.isEmpty, seen[seen.count / 2] >= Self.seamSeenAtLeast else { return nil }
        return push
    }

    /// The stretch from `a` to `b` as one picture sliding over the other held still, as
    /// ``blend(from:to:middle:change:meanAllowed:worstAllowed:ratioBelow:fit:)`` fits it: a cover (the new
    /// picture slides in over the old one) or a reveal (the old one slides away off the new), along either
    /// axis, either way. The motion estimator reads them as a part of a pan (the still picture holds most
    /// of it at one end), so the edge is found in each frame: where the still picture, in place, ends
    /// (``FrameMeasures/heldRun(_:holding:other:horizontal:fromStart:)``), then the offset within two
    /// pixels of the tiny picture of that, in quarters, at which the frame fits best.
    func slideOver(_ a: Int, _ b: Int, change: Double, meanAllowed: Double, worstAllowed: Double,
                   ratioBelow: Double) -> StretchFit? {
        let m = (a + b) / 2
        var best: StretchFit?
        for horizontal in [true, false] {
            let length = Double(horizontal ? measures.tinyWidth : measures.tinyHeight)
            for sign in [-1.0, 1.0] {
                for oldMoves in [false, true] {
                    // The still picture (the old one under a cover, the new one under a reveal) and the end
                    // of the frame it shows at: a cover coming in at the far end leaves the old picture at
                    // the start, a reveal going out at the start uncovers the new one at the far end.
                    let held = oldMoves ? b : a, other = oldMoves ? a : b
                    let fromStart = (sign < 0) != oldMoves
                    func residual(_ k: Int, _ offset: Double, sliding: Bool = true) -> Double {
                        measures.pushResidual(a, k, b, shift: sign * offset, horizontal: horizontal,
                                              oldMoves: sliding && oldMoves, newMoves: sliding && !oldMoves)
                    }
                    /// How far the sliding picture has come in frame `k` (the edge from the still part), by the run.
                    func estimate(_ k: Int) -> Double {
                        let run = Double(measures.heldRun(k, holding: held, other: other, horizontal: horizontal, fromStart: fromStart))
                        return oldMoves ? run : length - run
                    }
                    /// The offset that fits frame `k` best, and its residual.
                    func edge(_ k: Int) -> (offset: Double, residual: Double) {
                        let around = estimate(k)
                        var found = (offset: around, residual: Double.infinity)
                        for quarter in -8...8 {
                            let offset = around + Double(quarter) * 0.25
                            guard offset >= 0, offset <= length else { continue }
                            let r = residual(k, offset)
                            if r < found.residual { found = (offset, r) }
                        }
                        return found
                    }
                    // Most stretches show no still part in their middle frame: nothing more is measured.
                    let middleEdge = estimate(m)
                    guard middleEdge >= 0.15 * length, middleEdge <= 0.85 * length else { continue }
                    let middleFit = edge(m)
                    guard middleFit.residual < worstAllowed else { continue }
                    var edges = [Double](repeating: 0, count: b - a + 1)
                    guard let slide = Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: meanAllowed,
                                                 worstAllowed: worstAllowed, ratioBelow: ratioBelow, fit: { k in
                                                     let fit = k == m ? middleFit : edge(k)
                                                     edges[k - a] = fit.offset
                                                     return (t: fit.offset / length, residual: fit.residual)
                                                 }),
                          slide.residual < best?.residual ?? .infinity else { continue }
                    // The picture must be seen to slide: the frames fit clearly better (by a third) than the
                    // same edges sweeping over both pictures held still. A flat sheet of paper raised before a
                    // webcam covers the picture as a wipe does, whether it is seen to move or not.
                    var still = 0.0
                    for k in (a + 1)..<b { still += residual(k, edges[k - a], sliding: false) }
                    guard slide.residual * 1.5 <= still / Double(b - a - 1) else { continue }
                    best = slide
                }
            }
        }
        return best
    }

    /// The stretch from `a` to `b` as a sweep between two shots that go on moving: every frame between
    /// made of parts of the two, the new one's part growing (a wipe, an iris, a slide, a cover, a squeeze),
    /// where the tests on the pictures as they are cannot hold (the parts move). What holds is the
    /// frames' histograms: each is the mix of the ends' at its own share (``FrameHistograms/mixture(_:_:_:)``),
    /// within a fifth of the ends' distance on average and two fifths at worst, while as long before
    /// and after the stretch they drift by less than a third of it. Not a camera move: the motion
    /// measured over the stretch adds up to less than half the picture and a zoom of less than 15 %
    /// (a pan or a zoom onto something else mixes the histograms too; a sheet of paper raised before a
    /// webcam reads as a tilt of three quarters of the picture), nor one picture turning
    /// (``FrameMeasures/turnedMatch(_:_:)``). `change` is the ends' histogram distance.
    ///
    /// Measured with bench/transitions.sh (eight pairs of real single shots, most moving): with it,
    /// wipes from the left and from below 6 of 8 each (3 before), radial wipes 6 (3), squeezes 7 (1),
    /// covers from the right 7 (4) and from below 5 (3), reveals to the left 5 (3), and the wipes of
    /// ffmpeg-concat's example.mp4, none found before; no boundary added on the ten spliced seeds or
    /// the other corpus videos. A quarter of the distance on average (half at worst) found one more
    /// wipe from the left, from below and radial, but made a wipe of a product animation turning in 3D
    /// (mediabunny/transparency.webm); with drift and motion let up to 0.45 and 0.6 as well, the
    /// seeds had 11 false ones.
    ///
    /// `moved` is the motion measured over the stretch, summed; the caller has made sure both ends have
    /// detail (smooth colour gradients drifting, sharpness 0.0001 where the sweeps of real shots measured
    /// are at 0.006 or more, mix their histograms too, and the motion estimator reads little in them).
    func sweep(_ a: Int, _ b: Int, around: Int, moved: (dx: Float, dy: Float, zoom: Float), ratioBelow: Double)
        -> (fit: StretchFit, change: Double)? {
        let change = histograms.distance(a, b)
        guard change >= 0.15, abs(moved.dx) < 0.5, abs(moved.dy) < 0.5, abs(moved.zoom) < 0.15 else { return nil }
        let before = max(0, a - around), after = min(count - 1, b + around)
        guard histograms.distance(before, a) * Double(around) <= 0.3 * change * Double(a - before),
              histograms.distance(b, after) * Double(around) <= 0.3 * change * Double(after - b) else { return nil }
        guard let fit = Self.blend(from: a, to: b, middle: (a + b) / 2, change: change, meanAllowed: 0.2 * change,
                                   worstAllowed: 0.4 * change, ratioBelow: ratioBelow, fit: { histograms.mixture(a, $0, b) })
        else { return nil }
        // Not one picture spinning in place: its black corners sweep round as a wipe's edge does, and the
        // motion estimator, which knows no turning, reads little. Its ends are one picture turned (their
        // difference 0.13-0.29 of what it is unturned, where the sweeps of bench/transitions.sh are at
        // 0.74 or more). Measured last: the fit above has already thinned the stretches out.
        guard measures.turnedMatch(a, b) >= 0.5 else { return nil }
        return (fit, change)
    }
}
