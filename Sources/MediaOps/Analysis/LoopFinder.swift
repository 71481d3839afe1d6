import Foundation

/// What `loops` looks for: ranges between `minimumLength` and `maximumLength` seconds.
public struct LoopSearch: Sendable, Hashable {
    public var minimumLength: Double
    public var maximumLength: Double
    /// At most this many loops, best first.
    public var maximumResults: Int

    public init(minimumLength: Double = 1, maximumLength: Double = 10, maximumResults: Int = 5) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.maximumResults = maximumResults
    }
}

/// A range `[startFrame, endFrame)` that plays seamlessly on repeat: after frame
/// `endFrame - 1` comes frame `startFrame` again, and it looks like frame
/// `endFrame` (what would have come next), with the motion going on as it did.
public struct LoopCandidate: Sendable, Equatable, Codable {
    public var startFrame: Int
    public var endFrame: Int
    public var startTime: Double
    public var endTime: Double
    /// 1 for a seam no one can see; 0 at the acceptance limit's far side. Only loops of at least
    /// ``LoopFinder/acceptanceScore`` are reported.
    public var score: Double
    /// PSNR (dB) between the frame the loop returns to and the frame it replaces, on the analysis picture
    /// (99 when they are identical).
    public var seamPSNR: Double

    public init(startFrame: Int, endFrame: Int, startTime: Double, endTime: Double, score: Double, seamPSNR: Double) {
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.startTime = startTime
        self.endTime = endTime
        self.score = score
        self.seamPSNR = seamPSNR
    }

    enum CodingKeys: String, CodingKey {
        case startFrame = "start_frame", endFrame = "end_frame", startTime = "start_time", endTime = "end_time"
        case score, seamPSNR = "seam_psnr"
    }
}

/// Finds seamless loops in the analysis pass's measures (no second decode).
///
/// A loop `[a, b)` is judged by its seam: frame `a` against frame `b` (the
/// picture the jump back replaces) and frame `a + 1` against `b + 1` (the
/// motion after the seam continues as it did), compared with the loop's own
/// typical change from one frame to the next. The seam must be no larger than
/// half a typical step, and the picture must move at all (a still shot loops
/// trivially and is not reported). Candidates are found cheaply on 8x8 block
/// means first, then measured on the full analysis picture. Ranked by score,
/// then shorter first, so the period of a periodic video comes before its
/// multiples; shifted copies of the same loop are reported once.
enum LoopFinder {
    /// The score a loop needs to be reported: a seam at most half a typical frame step.
    static let acceptanceScore = 0.5
    /// Scores this close to the best count as equally good (then the shorter loop wins).
    static let tie = 0.03
    /// Loops whose pictures change less than this from frame to frame (0-255 scale) are stills, not loops.
    static let minimumStep = 0.5

    static func find(_ measures: FrameMeasures, starts: [Double], ends: [Double], search: LoopSearch) -> [LoopCandidate] {
        let count = measures.frameCount
        guard count > 3, let first = starts.first else { return [] }
        let duration = (ends.last ?? first) - first
        let framesPerSecond = duration > 0 ? Double(count) / duration : 25
        let shortest = max(2, Int((search.minimumLength * framesPerSecond).rounded()))
        let longest = min(count - 2, Int((search.maximumLength * framesPerSecond).rounded()))
        guard shortest <= longest else { return [] }
        let blocks = blockMeans(measures)
        let steps = (0..<(count - 1)).map { measures.distance($0, $0 + 1) }
        // A loop's typical step: the mean, over its frames, of each frame's local median step (a cut inside
        // the loop does not inflate it), from prefix sums so each candidate costs O(1).
        let local = steps.indices.map { i in median(steps[max(0, i - 15)..<min(steps.count, i + 16)]) }
        var prefix = [0.0]
        prefix.reserveCapacity(local.count + 1)
        for value in local { prefix.append(prefix[prefix.count - 1] + value) }
        var accepted: [LoopCandidate] = []
        for a in 0..<(count - 2) {
            let lastEnd = min(a + longest, count - 2)
            guard a + shortest <= lastEnd else { break }
            for b in (a + shortest)...lastEnd {
                // Cheap first: the block means of the two seams must be close.
                let coarse = blockDistance(blocks, a, b) + blockDistance(blocks, a + 1, b + 1)
                let typical = (prefix[b] - prefix[a]) / Double(b - a)
                guard typical >= minimumStep, coarse <= typical * 1.5 + 2 else { continue }
                let seam = (measures.distance(a, b) + measures.distance(a + 1, b + 1)) / 2
                let score = 1 - seam / (2 * typical)
                guard score >= acceptanceScore else { continue }
                accepted.append(LoopCandidate(startFrame: a, endFrame: b, startTime: (starts[a] * 1e6).rounded() / 1e6,
                                              endTime: (starts[b] * 1e6).rounded() / 1e6,
                                              score: (score * 1000).rounded() / 1000, seamPSNR: 0))
            }
        }
        // Best first, but a shorter loop within `tie` of the best score comes before a longer one: on periodic
        // footage the period and its multiples are all seamless, and noise must not pick a multiple.
        var remaining = accepted
        var kept: [LoopCandidate] = []
        while kept.count < search.maximumResults, let best = remaining.map(\.score).max() {
            let pick = remaining.filter { $0.score >= best - tie }.min {
                ($0.endFrame - $0.startFrame, -$0.score, $0.startFrame) < ($1.endFrame - $1.startFrame, -$1.score, $1.startFrame)
            }!
            var chosen = pick
            chosen.seamPSNR = psnr(measures, pick.startFrame, pick.endFrame)  // only for what is reported
            kept.append(chosen)
            // A loop of about the same length is this one shifted (or repeated elsewhere): reported once.
            let length = pick.endFrame - pick.startFrame
            remaining.removeAll { abs(($0.endFrame - $0.startFrame) - length) <= max(1, length / 20) }
        }
        return kept
    }

    /// 8x8 block means of each frame's tiny luma picture.
    static func blockMeans(_ measures: FrameMeasures) -> [[Double]] {
        let width = measures.tinyWidth, height = measures.tinyHeight
        return (0..<measures.frameCount).map { frame in
            var sums = [Double](repeating: 0, count: 64), counts = [Double](repeating: 0, count: 64)
            measures.withTinyLuma(frame) { pixels in
                for y in 0..<height {
                    let row = min(7, y * 8 / max(1, height))
                    for x in 0..<width {
                        let cell = row * 8 + min(7, x * 8 / max(1, width))
                        sums[cell] += Double(pixels[y * width + x])
                        counts[cell] += 1
                    }
                }
            }
            return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        }
    }

    static func blockDistance(_ blocks: [[Double]], _ a: Int, _ b: Int) -> Double {
        var total = 0.0
        for i in 0..<64 { total += abs(blocks[a][i] - blocks[b][i]) }
        return total / 64
    }

    static func median(_ values: ArraySlice<Double>) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// PSNR of two frames' tiny luma pictures.
    static func psnr(_ measures: FrameMeasures, _ a: Int, _ b: Int) -> Double {
        var squared = 0.0
        measures.withTinyLuma(a) { pa in
            measures.withTinyLuma(b) { pb in
                for i in 0..<measures.tinyCount { let d = Double(pa[i]) - Double(pb[i]); squared += d * d }
            }
        }
        let mse = squared / Double(max(1, measures.tinyCount))
        guard mse > 0 else { return 99 }
        return min(99, (10 * log10(255 * 255 / mse) * 100).rounded() / 100)
    }
}
