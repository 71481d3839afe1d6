import Foundation
import LibAV

/// What to look for in ``VideoAnalyzer/analyze(path:options:)``.
public struct AnalysisOptions: Sendable, Hashable {
    /// Smallest picture change (mean absolute difference of the small pictures,
    /// 0-255 scale) that can be a hard cut. Lower finds more cuts.
    public var threshold: Double = 20
    /// Shortest segment in seconds: a boundary closer than this to the previous one is dropped.
    public var minimumLength: Double = 0.5

    public init(threshold: Double = 20, minimumLength: Double = 0.5) {
        self.threshold = threshold
        self.minimumLength = minimumLength
    }
}

/// The one-pass analysis engine: decodes the video once (frame threads, no
/// loop filter: analysis does not need bit-exact pictures), shrinks every
/// frame once, measures it, and finally decides segments, transitions and
/// their features from the stored measures.
///
/// ```swift
/// let analysis = try VideoAnalyzer.analyze(path: "clip.mp4")
/// for segment in analysis.segments { print(segment.startFrame, segment.transitionIn) }
/// ```
public enum VideoAnalyzer {
    /// - Throws: ``MediaError``: the input's problems (missing, not media, no
    ///   video, undecodable codec, nothing decodable).
    public static func analyze(path: String, options: AnalysisOptions = AnalysisOptions()) throws(MediaError) -> VideoAnalysis {
        let input = try InputValidation.openWithStreamInfo(path)
        guard let stream = input.bestStream(.video) else {
            throw MediaError(path: path, code: .noVideo, message: "no video stream")
        }
        var decoderOptions = DecoderOptions()
        decoderOptions.skipLoopFilter = true
        let reader: FrameReader
        do { reader = try FrameReader(input: input, stream: stream, options: decoderOptions) } catch {
            throw MediaError(path: path, libav: error)
        }
        let parameters = stream.parameters
        let timeBase = stream.timeBase
        var pass = MeasuringPass(sourceWidth: parameters.width, sourceHeight: parameters.height)
        var firstError: AVError?
        while true {
            let frame: Frame?
            do { frame = try reader.nextFrame() } catch {
                // A failure mid-stream after good frames: keep what was decoded, like a player.
                firstError = error
                break
            }
            guard let frame else { break }
            do { try pass.measure(frame, timestamp: reader.presentationTimestamp(of: frame)) } catch {
                firstError = error
                break
            }
        }
        guard pass.frameCount > 0 else {
            if let damage = firstError ?? reader.firstDamage { throw MediaError(path: path, libav: damage) }
            throw MediaError(path: path, code: .corrupt, message: "no video frame could be decoded")
        }
        // Time zero is the file's start (players, ffmpeg -ss), never after the first frame.
        var origin = pass.timestamps.first ?? 0
        if let start = input.startTime {
            origin = min(origin, rescale(start, from: .microseconds, to: timeBase))
        }
        let averageRate = stream.averageFrameRate.isValid ? stream.averageFrameRate : stream.realFrameRate
        let fallbackDuration = averageRate.isValid ? 1 / averageRate.doubleValue : 1.0 / 25
        let times = pass.times(origin: origin, timeBase: timeBase, fallbackFrameDuration: fallbackDuration)
        if getenv("PIXSIM_DEBUG_ANALYSIS") != nil {
            for i in 0..<pass.frameCount {
                let m = pass.motions[i]
                print(i, i > 0 ? pass.distance(i, i - 1) : 0, m.dx * 128, m.dy * 72, m.zoom, m.residual, m.reliable, pass.qualities[i].brightness)
            }
        }
        let decider = SegmentDecider(pass: pass, times: times, options: options)
        let segments = decider.segments()
        let duration = max(0, times.ends.last.map { $0 - (times.starts.first ?? 0) } ?? 0)
        let fps = pass.frameCount > 1 && duration > 0 ? Double(pass.frameCount) / duration : (averageRate.isValid ? averageRate.doubleValue : 0)
        let frames = (0..<pass.frameCount).map { i in
            AnalyzedFrame(timestamp: pass.timestamps[i], time: times.starts[i], quality: pass.qualities[i])
        }
        return VideoAnalysis(path: path, fps: (fps * 1000).rounded() / 1000, frameCount: pass.frameCount,
                             durationSec: (duration * 1_000_000).rounded() / 1_000_000,
                             segments: segments, frames: frames,
                             timeBase: (timeBase.numerator, timeBase.denominator), originTimestamp: origin,
                             damagedPackets: reader.damagedPackets)
    }
}

/// What the decode loop keeps of each frame: small enough to keep for the
/// whole video (about 900 bytes a frame), complete enough to decide
/// everything afterwards without decoding again.
struct MeasuringPass {
    private var shrinker: AnalysisShrinker
    private var motion: GlobalMotionEstimator
    private(set) var timestamps: [Int64] = []
    private(set) var qualities: [FrameQuality] = []
    private(set) var motions: [GlobalMotion] = []
    /// Tiny luma pictures, ``tinyCount`` bytes each, one after the other.
    private(set) var tinyLuma: [UInt8] = []
    /// Tiny RGB pictures, ``tinyColorCount`` bytes each.
    private(set) var tinyColor: [UInt8] = []
    let tinyWidth: Int, tinyHeight: Int
    var tinyCount: Int { shrinker.tinyCount }
    var tinyColorCount: Int { shrinker.tinyColorCount }
    var frameCount: Int { timestamps.count }

    init(sourceWidth: Int, sourceHeight: Int) {
        shrinker = AnalysisShrinker(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        motion = GlobalMotionEstimator(width: shrinker.width, height: shrinker.height)
        tinyWidth = shrinker.tinyWidth; tinyHeight = shrinker.tinyHeight
        timestamps.reserveCapacity(4096); qualities.reserveCapacity(4096); motions.reserveCapacity(4096)
        tinyLuma.reserveCapacity(4096 * shrinker.tinyCount); tinyColor.reserveCapacity(4096 * shrinker.tinyColorCount)
    }

    mutating func measure(_ frame: Frame, timestamp: Int64) throws(AVError) {
        try shrinker.shrink(frame)
        timestamps.append(timestamp)
        qualities.append(shrinker.quality())
        motions.append(motion.estimate(shrinker.luma))
        shrinker.appendTinyLuma(to: &tinyLuma)
        shrinker.appendTinyColor(to: &tinyColor)
    }

    /// Start and end seconds of each frame. Timestamps that are missing or go
    /// backwards (damaged streams) are replaced by the previous frame's time
    /// plus a frame duration, so times always increase.
    func times(origin: Int64, timeBase: Rational, fallbackFrameDuration: Double) -> (starts: [Double], ends: [Double]) {
        let unit = timeBase.doubleValue
        var starts: [Double] = []
        starts.reserveCapacity(timestamps.count)
        for (i, ts) in timestamps.enumerated() {
            var t = ts == Timestamp.none ? -Double.infinity : Double(ts - origin) * unit
            if i > 0, !(t > starts[i - 1]) { t = starts[i - 1] + fallbackFrameDuration }
            if i == 0 && !t.isFinite { t = 0 }
            starts.append(t)
        }
        var ends = Array(starts.dropFirst())
        if let last = starts.last {
            let step = starts.count > 1 ? (last - starts[0]) / Double(starts.count - 1) : fallbackFrameDuration
            ends.append(last + (step > 0 ? step : fallbackFrameDuration))
        }
        return (starts, ends)
    }

    /// Mean absolute difference between two frames' tiny pictures (luma and colour), 0-255.
    func distance(_ a: Int, _ b: Int) -> Double {
        let n = tinyCount, m = tinyColorCount
        var lumaSum = 0, colorSum = 0
        tinyLuma.withUnsafeBufferPointer { p in
            let pa = a * n, pb = b * n
            for i in 0..<n { let d = Int(p[pa + i]) - Int(p[pb + i]); lumaSum += d < 0 ? -d : d }
        }
        tinyColor.withUnsafeBufferPointer { p in
            let pa = a * m, pb = b * m
            for i in 0..<m { let d = Int(p[pa + i]) - Int(p[pb + i]); colorSum += d < 0 ? -d : d }
        }
        // The larger of the two: a cut between shots of equal brightness but
        // different hue shows only in colour, a change of texture mostly in luma.
        return max(Double(lumaSum) / Double(n), Double(colorSum) / Double(m))
    }

    /// Like ``distance(_:_:)`` on luma with each picture's mean removed: what
    /// differs in structure, not in overall brightness (a fade changes only the latter).
    func structuralDistance(_ a: Int, _ b: Int) -> Double {
        let n = tinyCount
        var sumA = 0, sumB = 0
        tinyLuma.withUnsafeBufferPointer { p in
            for i in 0..<n { sumA += Int(p[a * n + i]); sumB += Int(p[b * n + i]) }
        }
        let offset = (sumA - sumB) / n
        var total = 0
        tinyLuma.withUnsafeBufferPointer { p in
            for i in 0..<n { let d = Int(p[a * n + i]) - Int(p[b * n + i]) - offset; total += d < 0 ? -d : d }
        }
        return Double(total) / Double(n)
    }

    /// How far frame `m` is from the even mix of frames `a` and `b` (0-255):
    /// near 0 in the middle of a dissolve from `a` to `b`.
    func mixResidual(_ a: Int, _ m: Int, _ b: Int) -> Double {
        let n = tinyCount
        var sum = 0
        tinyLuma.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let d = 2 * Int(p[m * n + i]) - Int(p[a * n + i]) - Int(p[b * n + i])
                sum += d < 0 ? -d : d
            }
        }
        return Double(sum) / Double(2 * n)
    }

    /// pHash of a frame, from its tiny luma picture.
    func hash(_ frame: Int) -> UInt64 {
        let n = tinyCount
        return PerceptualHash.hash(luma: Array(tinyLuma[(frame * n)..<((frame + 1) * n)]), width: tinyWidth, height: tinyHeight)
    }

    /// The tiny RGB pictures of `frames`, concatenated, for colour analysis.
    func colorSamples(_ frames: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(frames.count * tinyColorCount)
        for f in frames { out.append(contentsOf: tinyColor[(f * tinyColorCount)..<((f + 1) * tinyColorCount)]) }
        return out
    }
}
