/// Decides where segments begin and how, from the measures of a
/// ``MeasuringPass`` (``FrameMeasures``), then describes each segment.
///
/// - Hard cuts: the picture change at a frame must pass the threshold AND
///   stand out against the changes around it (ratio to the local median, as
///   PySceneDetect's adaptive detector does), so fast motion and camera moves,
///   which change every frame a lot, do not cut.
/// - Flashes: a jump whose old picture comes back within 1 to 3 frames (or
///   whose new picture was there 2 to 4 frames ago) is a flash, not a cut; the
///   content detector has no such check.
/// - Fades: a run of black frames inside the video is one boundary (in the
///   middle of the run), `fade` when the picture faded into or out of it.
/// - Dissolves: a stretch whose middle frame is the even mix of its two ends,
///   whose ends differ and which has no jump of its own.
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

    struct Boundary { var frame: Int; var kind: TransitionKind; var strength: Double; var spanStart: Int; var spanEnd: Int }

    func boundaries() -> [Boundary] {
        let count = measures.frameCount
        guard count > 1 else { return [] }
        var scores = [Double](repeating: 0, count: count)
        for i in 1..<count { scores[i] = measures.distance(i, i - 1) }
        // Black as ``FrameQuality/isBlack`` defines it; the boundary is then the middle
        // of the black run, rounded up, where PySceneDetect's threshold detector puts it.
        let dark = (0..<count).map { measures.qualities[$0].isBlack }
        var found: [Boundary] = []

        // Fades through black.
        var i = 0
        while i < count {
            guard dark[i] else { i += 1; continue }
            var j = i
            while j < count && dark[j] { j += 1 }
            if i > 0 && j < count {
                let gradualIn = scores[i] < options.threshold
                let gradualOut = scores[j] < options.threshold
                found.append(Boundary(frame: i + (j - i + 1) / 2, kind: gradualIn || gradualOut ? .fade : .cut,
                                      strength: 255, spanStart: max(0, i - 1), spanEnd: min(count - 1, j + 1)))
            }
            i = j
        }
        func insideTransition(_ frame: Int) -> Bool { found.contains { frame >= $0.spanStart && frame <= $0.spanEnd } }

        // Hard cuts.
        for i in 1..<count where scores[i] >= options.threshold && !insideTransition(i) {
            var neighbours: [Double] = []
            for j in max(1, i - 6)...min(count - 1, i + 6) where j != i { neighbours.append(scores[j]) }
            neighbours.sort()
            let median = neighbours.isEmpty ? 0 : neighbours[neighbours.count / 2]
            guard scores[i] >= 3 * median + 2 else { continue }
            if isFlash(at: i, score: scores[i]) { continue }
            found.append(Boundary(frame: i, kind: .cut, strength: scores[i], spanStart: i, spanEnd: i))
        }

        // Dissolves: test half-lengths of 4 to 16 frames around each frame.
        var dissolveCandidates: [Boundary] = []
        for m in 4..<max(4, count - 4) where !dark[m] {
            var best: Boundary?
            var bestRatio = 0.25
            for half in [4, 6, 8, 12, 16] {
                let a = m - half, b = m + half
                guard a >= 1, b < count - 1 else { continue }
                let change = measures.distance(a, b)
                guard change >= options.threshold else { continue }
                // Two shots with structure, differing in structure: a fade through a flat
                // picture (black, white) is a brightness ramp, not a dissolve.
                guard measures.qualities[a].contrast > 0.05, measures.qualities[b].contrast > 0.05,
                      measures.structuralDistance(a, b) >= 0.5 * options.threshold else { continue }
                // No single jump inside: a cut is not a dissolve.
                var largestStep = 0.0
                for k in (a + 1)...b { largestStep = max(largestStep, scores[k]) }
                guard largestStep < 0.4 * change else { continue }
                // Steady before and after: the ends are shots, not more motion.
                guard measures.distance(a - 1, a) < 0.25 * change, measures.distance(b, b + 1) < 0.25 * change else { continue }
                // The middle is the mix of the ends, much closer to it than to either end
                // (motion makes the middle differ from the mix as much as from the ends).
                let residual = measures.mixResidual(a, m, b)
                guard residual < 0.4 * min(measures.distance(a, m), measures.distance(m, b)) else { continue }
                // A camera move is not a dissolve.
                var travel: Float = 0
                for k in (a + 1)...b { travel += abs(measures.motions[k].dx) + abs(measures.motions[k].dy) + abs(measures.motions[k].zoom) }
                // A zoom of 0.15% a frame (5% a second at 30 fps) is already a camera move.
                guard travel / Float(b - a) < 0.0015 else { continue }
                let ratio = residual / change
                if ratio < bestRatio {
                    bestRatio = ratio
                    best = Boundary(frame: m, kind: .dissolve, strength: change * (1 - ratio), spanStart: a, spanEnd: b)
                }
            }
            if let best { dissolveCandidates.append(best) }
        }
        // Keep the best candidate of each overlapping group, not inside other transitions.
        dissolveCandidates.sort { $0.strength > $1.strength }
        var dissolves: [Boundary] = []
        for candidate in dissolveCandidates where !insideTransition(candidate.frame) {
            if dissolves.contains(where: { candidate.spanStart <= $0.spanEnd && candidate.spanEnd >= $0.spanStart }) { continue }
            if found.contains(where: { $0.frame >= candidate.spanStart && $0.frame <= candidate.spanEnd }) { continue }
            dissolves.append(candidate)
        }
        found += dissolves
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

    /// Whether the jump at `i` is part of a 1-3 frame flash: the picture before
    /// the jump comes back soon, or the picture after it was there just before.
    private func isFlash(at i: Int, score: Double) -> Bool {
        let count = measures.frameCount
        let similar = max(4, 0.3 * score)
        for lag in 2...4 {
            // Old picture back: frame i - 1 + lag is like frame i - 1.
            if i - 1 + lag < count, measures.distance(i - 1, i - 1 + lag) < similar { return true }
            // New picture seen before: frame i is like frame i - lag.
            if i - lag >= 0, measures.distance(i, i - lag) < similar { return true }
        }
        return false
    }

    func segments() -> [TemporalSegment] {
        let count = measures.frameCount
        let cuts = boundaries()
        var result: [TemporalSegment] = []
        var startFrame = 0
        var kind = TransitionKind.start
        var spans: [(Int, Int)] = cuts.map { ($0.spanStart, $0.spanEnd) }
        spans.append((count, count))
        for (index, next) in (cuts.map { Optional($0) } + [nil]).enumerated() {
            let endFrame = next?.frame ?? count
            guard endFrame > startFrame else { continue }
            result.append(describe(index: result.count, from: startFrame, to: endFrame, transition: kind, spans: spans))
            _ = index
            startFrame = endFrame
            kind = next?.kind ?? .cut
        }
        return result
    }

    private func describe(index: Int, from start: Int, to end: Int, transition: TransitionKind, spans: [(Int, Int)]) -> TemporalSegment {
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
            startTime: rounded(starts[start]), endTime: rounded(ends[end - 1]), transitionIn: transition,
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
