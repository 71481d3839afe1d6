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
    /// (``BoundarySearch/blend(from:to:middle:change:meanAllowed:worstAllowed:ratioBelow:fit:)``).
    struct StretchFit {
        /// Mean residual of the frames between.
        var residual: Double
        /// The fit of the stretch's middle frame.
        var middle: (t: Double, residual: Double)
        /// The first frame between whose share of the far end is at least a half, if any.
        var farEndLeads: Int?
    }

    /// Where segments begin, in frame order: the fades (runs of black or of a flat light picture with
    /// their ramps), the hard cuts outside them, then the gradual transitions away from both
    /// (``BoundarySearch``), those too close to the one before kept apart (``keptApart(_:)``).
    func boundaries() -> [Boundary] {
        guard measures.frameCount > 1 else { return [] }
        let search = BoundarySearch(measures: measures, starts: starts, options: options)
        let fades = search.fades()
        var found = fades.boundaries
        found += search.cuts(outside: fades.spans)
        found += search.gradualTransitions(outside: fades.spans, awayFrom: found)
        found.sort { $0.frame < $1.frame }
        return keptApart(found)
    }

    /// Minimum length: drops a boundary too close to the previous kept one (or to the end), keeping the
    /// stronger of the two, and a cut too close to the start. `found` is in frame order.
    private func keptApart(_ found: [Boundary]) -> [Boundary] {
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

    /// The segments between the boundaries, each described: its transition in, brightness, colours,
    /// camera motion, hashes and representative frame.
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
