import Foundation

/// Decides where segments begin and how, from the measures of a
/// ``MeasuringPass`` (``FrameMeasures``), then describes each segment.
///
/// - Hard cuts: the change at a frame is the picture difference left after
///   compensating the camera motion measured there (``FrameMeasures/lumaChange(at:)``),
///   so a pan or zoom changes little while a cut changes as much as ever. A
///   frame cuts when that change stands out against the changes around it
///   (ratio to the local median, as PySceneDetect's adaptive detector does),
///   so a cut between two shots of the same palette is found by its change of
///   structure, and a cut that changes little in pixels but the whole
///   histogram (luma and colour) by that, if it is also clearly the largest
///   change around. A change of brightness alone (lighting, exposure) is not
///   a cut. Repeated frames do not count in the neighbourhood.
/// - Flashes: a jump whose old picture comes back within 1 to 3 frames (or
///   whose new picture was there 2 to 4 frames ago) is a flash, not a cut; the
///   content detector has no such check.
/// - Black: a run of black frames inside the video makes one boundary. Entered
///   by a cut, it is that cut, at its exact frame; left by a cut after a fade
///   out, the cut out of it; otherwise one `fade` in the middle of the run,
///   spanning the fade out, the black and the fade in. A run of a solid light
///   picture (a dip to white) is the same when it is faded into or out of,
///   its ramps blend the shot with it, and the shots either side differ.
/// - Dissolves: a stretch whose frames are each the mix of its two ends at
///   their own share, whose ends differ as different shots do, with no jump
///   of its own, no camera move, and not inside a fade; its change is its own
///   (the picture is steadier as long before and after it), not a slow drift.
///   Between ends that differ strongly, most of what changes blending is
///   enough (something may move in either shot); a stretch the motion
///   estimator reads as a move must blend almost exactly, all over.
/// - Wipes: a stretch tested as a dissolve whose frames are each made of parts
///   of its two ends as they are (a moving edge, an iris, a clock hand) is a
///   `wipe`, when its ends differ over most of the picture and the frames fit
///   closely (the shots hold still while it sweeps). So is a push (a slide):
///   a move of one picture's length, each frame the two pictures side by side
///   as far as the move has gone, both seen to move; and one picture sliding
///   over the other held still (a cover, a reveal). Between shots that go on
///   moving, where no frame is made of the ends as they are, a sweep (a wipe,
///   an iris, a slide, a squeeze) is told by the histograms instead: each
///   frame's is the mix of the ends' (``FrameHistograms``), with no camera
///   move through it.
struct SegmentDecider {
    let measures: FrameMeasures
    let starts: [Double]
    let ends: [Double]
    let options: AnalysisOptions
    /// The stream's clockwise display rotation: motion is measured on stored
    /// pictures and named as a viewer sees it.
    let rotation: Int

    init(measures: FrameMeasures, times: (starts: [Double], ends: [Double]), options: AnalysisOptions, rotation: Int = 0) {
        self.rotation = rotation
        self.measures = measures
        self.starts = times.starts
        self.ends = times.ends
        self.options = options
    }

    /// A segment start: `frame` is the first frame of the new segment (a
    /// gradual transition's middle); `[spanStart, spanEnd)` are the frames the
    /// transition spans (empty for a cut).
    struct Boundary { var frame: Int; var kind: TransitionKind; var strength: Double; var spanStart: Int; var spanEnd: Int }

    /// How the frames strictly between a stretch's ends fit a transition from one end to the other
    /// (``blend(from:to:middle:change:meanAllowed:worstAllowed:ratioBelow:fit:)``).
    struct StretchFit {
        /// Mean residual of the frames between.
        var residual: Double
        /// The fit of the stretch's middle frame.
        var middle: (t: Double, residual: Double)
        /// The first frame between whose share of the far end is at least a half, if any.
        var farEndLeads: Int?
    }

    /// Per-frame changes from the previous frame (0 for the first).
    private struct Changes {
        /// Picture change (luma or colour, the larger), scaled down by how much
        /// of the luma change the camera motion explains.
        var score: [Double]
        /// The distance of the frames' histograms (``FrameHistograms/distance(_:_:)``).
        var histogram: [Double]
    }

    private func changes(_ histograms: FrameHistograms) -> Changes {
        let count = measures.frameCount
        var score = [Double](repeating: 0, count: count)
        var histogram = [Double](repeating: 0, count: count)
        for i in 1..<count {
            let luma = measures.lumaChange(at: i)
            let explained = luma.plain > 0.5 ? luma.compensated / luma.plain : 1
            score[i] = measures.distance(i, i - 1) * explained
            histogram[i] = histograms.distance(i - 1, i)
        }
        return Changes(score: score, histogram: histogram)
    }

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

    func boundaries() -> [Boundary] {
        let count = measures.frameCount
        guard count > 1 else { return [] }
        let histograms = FrameHistograms(measures)
        let changes = changes(histograms)
        let scores = changes.score
        let brightness = measures.qualities.map { $0.brightness * 255 }
        // Black as ``FrameQuality/isBlack`` defines it.
        let dark = (0..<count).map { measures.qualities[$0].isBlack }
        var found: [Boundary] = []
        // Frames no dissolve may touch: fade ramps and black (also at the start and end).
        var fadeSpans: [(Int, Int)] = []

        // A frame's neighbourhood, the changes its own is compared with: six frames each side (a quarter
        // of a second at 25 fps), but no more than 0.6 s of them. A slideshow of one or two frames a second
        // would otherwise put the next few pictures' cuts in the neighbourhood, where each hides the others.
        let frameDuration = count > 1 ? (starts[count - 1] - starts[0]) / Double(count - 1) : 0
        let reach = frameDuration > 0 ? min(6, Int(0.6 / frameDuration + 1e-9)) : 6
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
        /// Whether the change from frame `k` to frame `next` (one apart, either way) is a step of a ramp
        /// towards a run of black or of a flat picture rather than a cut into or out of it, when it stands out
        /// as a cut does: the step on the far side of `k` (from `k`'s other neighbour) comes the same way, at
        /// least a quarter as far and two levels, and `k` is a blend of the frames either side of it.
        /// `farness` is how far a frame is from the run's picture. A quick fade takes steps as large as a
        /// cut's (a dip to black or to white over four or five frames, as editors and xfade's `fadeblack` and
        /// `fadewhite` make it: 143, 123, 85, 45, 15, 5), but a shot cut into black holds its level up to the
        /// cut, and cards of other colours cut one after the other into black are no blends.
        func rampGoesOn(_ farness: (Int) -> Double, from k: Int, to next: Int) -> Bool {
            let before = 2 * k - next
            guard before >= 0, before < count else { return false }
            let step = farness(k) - farness(next)
            guard farness(before) - farness(k) >= max(2, 0.25 * step) else { return false }
            let (a, b) = (min(before, next), max(before, next)), change = measures.distance(a, b)
            return Self.blendsWithin(from: a, to: b, change: change) { measures.blendFit(a, $0, b) }
                && Self.blendsWithin(from: a, to: b, change: change) { measures.colorBlendFit(a, $0, b) }
        }
        // The frames a brightness ramp into black at `i` (backwards) or out of it at `j` covers.
        func rampStart(_ i: Int) -> Int {
            var k = i
            while k > 0, i - k < 60, brightness[k - 1] > brightness[k] + 0.3,
                  !cutsAt(k) || rampGoesOn({ brightness[$0] }, from: k - 1, to: k) { k -= 1 }
            return k
        }
        func rampEnd(_ j: Int) -> Int {
            var k = j
            while k < count - 1, k - j < 60, brightness[k + 1] > brightness[k] + 0.3,
                  !cutsAt(k + 1) || rampGoesOn({ brightness[$0] }, from: k + 1, to: k) { k += 1 }
            return k + 1
        }

        /// The one boundary of a run of black or of a solid picture, frames `[i, j)`, whose fades span
        /// `[first, end)`: the cut into it (a jump from a shot holding its level), else the cut out of it,
        /// else a fade in its middle. `farness` is how far a frame is from the run's picture.
        func boundary(ofRun i: Int, _ j: Int, first: Int, end: Int, farness: (Int) -> Double) -> Boundary {
            if cutsAt(i), !rampGoesOn(farness, from: i - 1, to: i) {
                return Boundary(frame: i, kind: .cut, strength: 255, spanStart: i, spanEnd: i)
            }
            if cutsAt(j), !rampGoesOn(farness, from: j, to: j - 1) {
                return Boundary(frame: j, kind: .cut, strength: 255, spanStart: j, spanEnd: j)
            }
            return Boundary(frame: i + (j - i + 1) / 2, kind: .fade, strength: 255, spanStart: first, spanEnd: end)
        }

        // Black runs.
        var i = 0
        while i < count {
            guard dark[i] else { i += 1; continue }
            var j = i
            while j < count && dark[j] { j += 1 }
            let first = i > 0 ? rampStart(i) : 0, end = j < count ? rampEnd(j) : count
            fadeSpans.append((first, end))
            if i > 0 && j < count { found.append(boundary(ofRun: i, j, first: first, end: end, farness: { brightness[$0] })) }
            i = j
        }
        // Runs of a flat picture other than black faded into or out of (a dip to white between two
        // shots): one boundary each, as a black run makes, where the shots on either side differ. The
        // ramps into and out of it are the frames that come steadily nearer the flat picture. Left to
        // the cuts below: a run with the same shot on both sides (a flash, a dip inside one shot; the
        // cuts know flashes), and a plain card cut into and out of (a shot of its own).
        /// A solid picture well above black: contrast under 0.01 (a smooth gradient's, flat by
        /// ``FrameQuality/isFlat``, is near 0.03, and moving it comes nearer and nearer another);
        /// what is near black belongs to the black runs and their ramps.
        func flatLight(_ k: Int) -> Bool {
            measures.qualities[k].contrast < 0.01 && brightness[k] >= 48 && !fadeSpans.contains { k >= $0.0 && k < $0.1 }
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
            fadeSpans.append((first, end))
            found.append(boundary(ofRun: i, j, first: first, end: end, farness: { measures.distance($0, i) }))
        }
        func insideFade(_ frame: Int) -> Bool { fadeSpans.contains { frame >= $0.0 && frame < $0.1 } }

        // Hard cuts.
        for i in 1..<count where !insideFade(i) {
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
                && changes.histogram[i] >= 3 * aroundMedian(changes.histogram, i) + 0.05
                && scores[i] >= 1.25 * largestAround
            guard strong || similarShots else { continue }
            // A weak change of brightness alone is lighting, not a cut: the structure must change too.
            guard strong || measures.structuralDistance(i - 1, i) >= 0.35 * scores[i] else { continue }
            if isFlash(at: i, score: scores[i]) { continue }
            found.append(Boundary(frame: i, kind: .cut, strength: scores[i], spanStart: i, spanEnd: i))
        }
        let cutFrames = Set(found.filter { $0.kind == .cut }.map(\.frame))

        // Dissolves: test half-lengths of 4 to 16 frames around each frame.
        // Each frame's variance of luma, for dissolves between moving shots (``varianceOfBlend(_:_:covariance:at:)``).
        let variances = (0..<count).map { measures.covariance($0, $0) }
        /// The variance frame `a` and frame `b` mixed at share `t` of `b` would have: each picture's own
        /// weighed by the square of its share, and their covariance (about nothing between different shots).
        @Sendable func varianceOfBlend(_ a: Int, _ b: Int, covariance: Double, at t: Double) -> Double {
            (1 - t) * (1 - t) * variances[a] + t * t * variances[b] + 2 * t * (1 - t) * covariance
        }
        let blackSpans = fadeSpans
        let threshold = options.threshold
        /// The stretch from `a` to `b` as a push, as ``blend(from:to:middle:change:meanAllowed:worstAllowed:ratioBelow:fit:)``
        /// fits it, when the motion measured over it adds up to one picture's length along one axis (0.9 to 1.1 of
        /// it: every push of bench/transitions.sh measures 0.91-1.02; a pan's ends further from one picture's
        /// length apart leave a gap or an overlap, whose edges the seam test reads as two pictures meeting)
        /// and little across. `moved` is the motion measured over the stretch, summed (the dissolve search has it).
        @Sendable func pushAlong(_ a: Int, _ b: Int, moved summed: (dx: Float, dy: Float), change: Double, meanAllowed: Double,
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
        @Sendable func slideOver(_ a: Int, _ b: Int, change: Double, meanAllowed: Double, worstAllowed: Double,
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
        @Sendable func sweep(_ a: Int, _ b: Int, around: Int, moved: (dx: Float, dy: Float, zoom: Float), ratioBelow: Double)
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
        /// The best dissolve centred on frame `m`, if any.
        @Sendable func dissolve(around m: Int) -> Boundary? {
            guard !dark[m], !blackSpans.contains(where: { m >= $0.0 && m < $0.1 }) else { return nil }
            var best: Boundary?
            var bestRatio = 0.25
            // A sweep's ratio is of histograms, not pictures: the two are not compared. A fit of the pictures at
            // any half-length is taken over a sweep, and a sweep only tried while none has fitted.
            var sweepRatio = 0.25, bestIsSweep = false
            for half in [4, 5, 6, 8, 10, 12, 16] {
                let a = m - half, b = m + half
                guard a >= 1, b < count - 1 else { continue }
                guard !blackSpans.contains(where: { a < $0.1 && b >= $0.0 }) else { continue }
                let change = measures.distance(a, b)
                guard change >= threshold else { continue }
                // Two shots with structure, differing in structure: a fade through a flat
                // picture (black, white) is a brightness ramp, not a dissolve.
                guard measures.qualities[a].contrast > 0.05, measures.qualities[b].contrast > 0.05,
                      measures.structuralDistance(a, b) >= 0.5 * threshold else { continue }
                // No single jump inside: a cut is not a dissolve.
                var largestStep = 0.0
                for k in (a + 1)...b { largestStep = max(largestStep, scores[k]) }
                guard largestStep < 0.4 * change, !((a + 1)...b).contains(where: { cutFrames.contains($0) }) else { continue }
                // Steady before and after: the ends are shots, not more motion.
                guard scores[a] < 0.25 * change, scores[b + 1] < 0.25 * change else { continue }
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
                guard change >= Double(b - a), steadyAround || change >= 2 * threshold else { continue }
                // Two different shots, not one (a pass over the tiny pictures, after the cheaper tests
                // above): not the same view under other light (a webcam's exposure settling, a title
                // card's background brightening: correlation 0.98 and 0.999; a slow zoom into a Mandelbrot
                // set whose colours shift as it goes, 0.86, was a dissolve below 0.9; the 247 dissolves
                // found on the spliced benchmark's ten seeds at most 0.68, at the ends of their blends), and
                // not a shot of which only a part changes (colour bars scrolling behind a test card's
                // captions: a fifth to two fifths of the picture changes; in those dissolves two
                // thirds or more).
                guard measures.correlation(a, b) < 0.8 else { continue }
                let changedShare = measures.changedShare(a, b)
                guard changedShare >= 0.5 else { continue }
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
                // scale) and differ strongly. The fitting below stops at the first frame that does not
                // fit: moving footage costs a fit or two per stretch.
                let moving = travel >= 0.006 || (travel >= 0.0015 && steadyMove >= 0.0025)
                // Ends that differ strongly: the looser tests below (a moving stretch, most of what changes) need it.
                let strongChange = change >= 2 * threshold
                // Ends with detail: smooth content (a gradient) moves in ways that fit a blend, or mix histograms.
                let endsHaveDetail = min(measures.qualities[a].sharpness, measures.qualities[b].sharpness) >= 0.001
                let picturesFit = steadyAround && (!moving || (strongChange && endsHaveDetail))
                // Every frame between is a mix of the ends (fitted share `t`, whatever the
                // timing), the share growing from one end to the other: a camera move, a
                // zoom or a lighting change between two looks is not a blend all along.
                // The fitting stops as soon as it cannot fit better than the best half-length found so far.
                let allowance = Self.blendAllowance(change)
                let meanAllowed = moving ? 0.05 * change : allowance.mean
                let worstAllowed = moving ? 0.1 * change : allowance.worst
                func blendsAlong(_ fit: (Int) -> (t: Double, residual: Double)?) -> StretchFit? {
                    Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: meanAllowed, worstAllowed: worstAllowed,
                               ratioBelow: bestRatio, fit: fit)
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
                if picturesFit, blend == nil, changedShare >= 0.75,
                   let wipe = Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: 0.05 * change,
                                         worstAllowed: worstAllowed, ratioBelow: bestRatio, fit: { measures.wipeFit(a, $0, b) }) {
                    blend = wipe
                    kind = .wipe
                }
                // Or a push (a slide): the two pictures move across together, the old one going out on one side
                // and the new one coming in from the other. The motion estimator reads it as a pan of one
                // picture's length over the stretch; each frame between must then be the window of the two
                // pictures side by side that the move has reached (``FrameMeasures/pushResidual``), to within
                // a pixel and a half of the tiny picture either way of what the measured move says.
                if picturesFit, blend == nil, moving, let push = pushAlong(a, b, moved: (moved.dx, moved.dy), change: change, meanAllowed: allowance.mean,
                                                              worstAllowed: allowance.worst, ratioBelow: bestRatio) {
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
                if picturesFit, blend == nil, changedShare >= 0.75,
                   let slide = slideOver(a, b, change: change, meanAllowed: 0.08 * change,
                                         worstAllowed: 0.15 * change, ratioBelow: bestRatio) {
                    blend = slide
                    kind = .wipe
                }
                if picturesFit, blend == nil, !moving, strongChange { blend = blendsAlong { measures.blendFitOfMost(a, $0, b) } }
                // Or, between ends that differ strongly over three quarters of the picture, a sweep between shots
                // that move, told by the histograms (``sweep(_:_:around:ratioBelow:)``).
                var ratio = blend.map { $0.residual / change } ?? 0
                // How far apart two frames are, as the fit that found the stretch measures it.
                var apart: (Int, Int) -> Double = { measures.distance($0, $1) }
                var apartEnds = change, byHistograms = false
                if blend == nil, best == nil || bestIsSweep, strongChange, changedShare >= 0.75, endsHaveDetail,
                   let swept = sweep(a, b, around: around, moved: moved, ratioBelow: sweepRatio) {
                    blend = swept.fit
                    kind = .wipe
                    ratio = swept.fit.residual / swept.change
                    apart = { histograms.distance($0, $1) }
                    apartEnds = swept.change
                    byHistograms = true
                } else {
                    // The moving shot (above) only when the frames fit the blend closely.
                    guard travel < 0.0015 || ratio < 0.15 else { continue }
                }
                // Or a dissolve between shots that go on moving, where no frame is a mix of the ends as they are
                // (the fits above fail by 15 to 40 % of the change, and still do with each end moved by its shot's
                // measured motion: the motion is the things' in the shots, not the camera's). What a blend does
                // to the picture whatever moves in it: its variance drops, to the ends' weighed by the squares of
                // their shares (a quarter of each halfway through) and their covariance, where moving leaves a
                // picture's variance as it was and a lighting change scales it evenly. Each frame between, at
                // the share that fits it best, must have the variance of that mix (``blendVariance``), and the
                // mix's halfway must be a clear dip (``blendVarianceDip``). Only where the ends differ strongly
                // over three quarters of the picture and the tests on the pictures cannot hold (they move, or
                // the picture changes around the stretch): where they can, a wipe's frames fit it too.
                if blend == nil, !picturesFit, strongChange, changedShare >= 0.75, endsHaveDetail {
                    let covariance = measures.covariance(a, b)
                    let t = min(1, max(0, measures.blendFit(a, m, b).t))
                    if varianceOfBlend(a, b, covariance: covariance, at: t) <= Self.blendVarianceDip * ((1 - t) * variances[a] + t * variances[b]),
                       let fit = Self.blend(from: a, to: b, middle: m, change: change, meanAllowed: Self.blendVariance.mean * change,
                                            worstAllowed: Self.blendVariance.worst * change, ratioBelow: bestRatio, fit: { k in
                                                let t = min(1, max(0, measures.blendFit(a, k, b).t))
                                                let expected = varianceOfBlend(a, b, covariance: covariance, at: t)
                                                return (t, abs(variances[k] - expected) / max(expected, 1) * change)
                                            }) {
                        blend = fit
                        kind = .dissolve
                        ratio = fit.residual / change
                    }
                }
                guard let blend, blend.middle.t > 0.2, blend.middle.t < 0.8 else { continue }
                // Better than the best half-length so far (the fitting stopped otherwise).
                if byHistograms { sweepRatio = ratio } else { bestRatio = ratio }
                bestIsSweep = byHistograms
                // The blend: from the first frame that has left `a` to the last that has not reached `b`.
                var first = a + 1, last = b - 1
                while first < m, apart(a, first) < 0.1 * apartEnds { first += 1 }
                while last > m, apart(last, b) < 0.1 * apartEnds { last -= 1 }
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
                if kind == .dissolve, let leads = blend.farEndLeads { frame = min(max(leads, first), last) }
                best = Boundary(frame: frame, kind: kind, strength: change * (1 - ratio),
                                spanStart: first, spanEnd: last + 1)
            }
            return best
        }
        let workers = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        var dissolveCandidates = FrameStripes.map(4..<max(4, count - 4), workers: workers) { dissolve(around: $0) }.compactMap { $0 }
        // Keep the best candidate of each overlapping group, away from other boundaries.
        dissolveCandidates.sort { $0.strength > $1.strength }
        var dissolves: [Boundary] = []
        for candidate in dissolveCandidates {
            if dissolves.contains(where: { candidate.spanStart <= $0.spanEnd && candidate.spanEnd >= $0.spanStart }) { continue }
            if found.contains(where: { $0.frame >= candidate.spanStart - 1 && $0.frame <= candidate.spanEnd }) { continue }
            dissolves.append(candidate)
        }
        // A dissolve longer than the longest stretch tested (33 frames: a second and a half at 24 fps) is
        // found as two or more that meet end to end (a two-second dissolve at 25 fps made two boundaries).
        // They are one when every frame between the outer ends is a blend of those, by the test that found
        // them, and no other boundary lies there. So are two whose spans leave between them less than a
        // segment's minimum length of frames that neither spans: too little to be a shot of their own (a
        // cube turning from one shot to the other over a second, its middle frames half black, was found
        // as the sweeps at its two ends, 0.3 s apart).
        dissolves.sort { $0.frame < $1.frame }
        var joined: [Boundary] = []
        for next in dissolves {
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
        found += joined
        found.sort { $0.frame < $1.frame }

        // Minimum length: drop a boundary too close to the previous kept one (or to the end),
        // keeping the stronger of the two.
        var kept: [Boundary] = []
        for boundary in found {
            if let last = kept.last, starts[boundary.frame] - starts[last.frame] < options.minimumLength {
                if boundary.strength > last.strength * 1.5 { kept[kept.count - 1] = boundary }
                continue
            }
            if kept.isEmpty && starts[boundary.frame] - starts[0] < options.minimumLength && boundary.kind == .cut {
                continue
            }
            kept.append(boundary)
        }
        if let last = kept.last, (ends.last ?? 0) - starts[last.frame] < options.minimumLength {
            kept.removeLast()
        }
        return kept
    }

    /// How much a push's seam must stand out (``FrameMeasures/seamContrast(_:_:offset:horizontal:newAtEnd:)``).
    static let seamAtLeast = 0.75
    /// How much the seam of a push must stand out where it is seen in the frames between
    /// (``FrameMeasures/seamContrast(in:at:horizontal:)``).
    static let seamSeenAtLeast = 0.9

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

    /// Whether the jump at `i` is part of a 1-3 frame flash: the picture before the jump comes back soon, or
    /// the picture after it was there just before. "Back" is within 0.3 of the jump (a flash need not leave
    /// the picture quite as it was), but no further than a cut's threshold or twice what the shot itself
    /// changes over as many frames (it moves on while the flash lasts): a white flash jumps by 190 levels,
    /// and two still shots it was cut in between, 50 levels apart, passed for one.
    private func isFlash(at i: Int, score: Double) -> Bool {
        let count = measures.frameCount
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

    func segments() -> [TemporalSegment] {
        let count = measures.frameCount
        let cuts = boundaries()
        var result: [TemporalSegment] = []
        var startFrame = 0
        var kind = TransitionKind.start
        var span: [Int]? = nil
        // Frames inside transitions (inclusive), kept away from when choosing representatives.
        var spans: [(Int, Int)] = cuts.map { ($0.spanStart, max($0.spanStart, $0.spanEnd - 1)) }
        spans.append((count, count))
        for next in cuts.map({ Optional($0) }) + [nil] {
            let endFrame = next?.frame ?? count
            guard endFrame > startFrame else { continue }
            result.append(describe(index: result.count, from: startFrame, to: endFrame, transition: kind, span: span, spans: spans))
            startFrame = endFrame
            kind = next?.kind ?? .cut
            span = next.map { [$0.spanStart, $0.spanEnd] }
        }
        return result
    }

    private func describe(index: Int, from start: Int, to end: Int, transition: TransitionKind, span: [Int]?, spans: [(Int, Int)]) -> TemporalSegment {
        let frames = Array(start..<end)
        var brightness = 0.0
        for f in frames { brightness += measures.qualities[f].brightness }
        brightness /= Double(frames.count)
        // Colours from up to 60 frames spread over the segment.
        let stride = max(1, frames.count / 60)
        let sampled = Swift.stride(from: start, to: end, by: stride).map { $0 }
        let colors = measures.colorSamples(sampled).withUnsafeBufferPointer { DominantColors.find(samples: $0) }
        let motion = CameraMotionClassifier.classify(measures.motions[min(end, start + 1)..<end].map { $0.turned(clockwise: rotation) }[...],
                                                     duration: ends[end - 1] - starts[start])
        // Representative: best poster score, favouring the middle, away from transitions.
        var bestFrame = start + frames.count / 2, bestScore = -1.0
        for f in frames {
            if spans.contains(where: { f >= $0.0 && f <= $0.1 }) && frames.count > 4 { continue }
            let position = Double(f - start) / Double(max(1, frames.count - 1))
            let centrality = 1 - 0.6 * abs(position - 0.5)
            let score = measures.qualities[f].posterScore * centrality
            if score > bestScore { bestScore = score; bestFrame = f }
        }
        return TemporalSegment(
            index: index, segmentType: "scene", startFrame: start, endFrame: end,
            startTime: rounded(starts[start]), endTime: rounded(ends[end - 1]), transitionIn: transition, transitionFrames: span,
            brightness: (brightness * 1000).rounded() / 1000, dominantColors: colors,
            cameraMotion: motion.kind, motionMagnitude: (motion.magnitude * 1000).rounded() / 1000,
            startHash: PerceptualHash.hex(measures.hash(start)), endHash: PerceptualHash.hex(measures.hash(end - 1)),
            representativeFrame: bestFrame, representativeTime: rounded(starts[bestFrame]), thumbnail: nil)
    }

    private func rounded(_ seconds: Double) -> Double { (seconds * 1_000_000).rounded() / 1_000_000 }
}

/// Names a segment's camera movement from its per-frame global motion.
enum CameraMotionClassifier {
    static func classify(_ motions: ArraySlice<GlobalMotion>, duration: Double) -> (kind: CameraMotion, magnitude: Double) {
        let reliable = motions.filter(\.reliable)
        guard reliable.count >= 2, duration > 0 else { return (.static, 0) }
        var dx = 0.0, dy = 0.0, zoom = 0.0, path = 0.0, residual = 0.0
        for m in reliable {
            dx += Double(m.dx); dy += Double(m.dy); zoom += Double(m.zoom)
            path += (Double(m.dx) * Double(m.dx) + Double(m.dy) * Double(m.dy)).squareRoot()
            residual += Double(m.residual)
        }
        // Per second, scaled to the reliable share of the segment.
        let seconds = duration * Double(reliable.count) / Double(max(1, motions.count))
        let pan = dx / seconds, tilt = dy / seconds, zoomRate = zoom / seconds
        let pathRate = path / seconds, residualRate = residual / Double(reliable.count)
        let net = (pan * pan + tilt * tilt).squareRoot()
        let strongest = max(abs(pan), abs(tilt), abs(zoomRate))
        if strongest < 0.02 && pathRate < 0.05 { return (.static, 0) }
        // Much travel, little net movement: shake.
        if pathRate > 0.1 && net < 0.3 * pathRate && abs(zoomRate) < 0.05 { return (.shake, pathRate) }
        if residualRate > 0.02 && strongest < 0.05 { return (.complex, pathRate) }
        let components = [abs(pan), abs(tilt), abs(zoomRate)].sorted(by: >)
        if components[1] > 0.6 * components[0] { return (.complex, strongest) }
        if abs(zoomRate) == strongest { return (zoomRate > 0 ? .zoomIn : .zoomOut, abs(zoomRate)) }
        // Content moving left is the camera panning right; content moving down is the camera tilting up.
        if abs(pan) == strongest { return (pan < 0 ? .panRight : .panLeft, abs(pan)) }
        return (tilt > 0 ? .tiltUp : .tiltDown, abs(tilt))
    }
}
