import Foundation

/// The crop window of a reframed rendition, frame by frame, and how it was bounded.
public struct ReframePlan: Sendable, Codable, Equatable {
    public var aspect: String
    public var cropWidth: Int
    public var cropHeight: Int
    /// The first frame of each shot (0 first): the window cuts to its new place there.
    public var shotStarts: [Int]
    /// Whether each shot's window stays still (the subject stays inside one place) or follows it.
    public var shotModes: [String]
    /// Left and top edge of the window for each frame, in source pixels.
    public var left: [Int]
    public var top: [Int]
    /// The bound on the window's movement between two frames of one shot, in source pixels (each axis).
    public var maxStep: Int
    /// The bound on the change of that movement from one frame to the next (the path's acceleration).
    public var maxAcceleration: Double

    enum CodingKeys: String, CodingKey {
        case aspect, left, top
        case cropWidth = "crop_width", cropHeight = "crop_height", shotStarts = "shot_starts", shotModes = "shot_modes"
        case maxStep = "max_step_px", maxAcceleration = "max_acceleration_px"
    }

    /// The window for frame `index` (the last one for frames past the analysed ones).
    func window(at index: Int) -> (left: Int, top: Int) {
        guard !left.isEmpty else { return (0, 0) }
        let i = min(max(0, index), left.count - 1)
        return (left[i], top[i])
    }
}

/// Decides where a crop window of another aspect ratio sits in every frame, from the analysis pass's
/// measures (no second decode for it), after the way Google's AutoFlip reframes: find what matters in
/// each frame, then per shot either hold the camera still (when a still window keeps the subject) or
/// move it along a smooth path; cut at shot boundaries.
///
/// - **What matters**: on each frame's tiny luma picture (about 32x18, ``FrameMeasures``), a saliency
///   per cell = 2 × motion energy (difference from the previous frame of the shot) + distinctiveness
///   (distance from the frame's median luma) + 0.5 × contrast above the frame's median gradient, so a
///   uniformly textured background scores low and a moving or standing-out subject high. The frame's
///   target is the window position that holds the most squared saliency; a frame with almost none
///   keeps the previous target.
/// - **Per shot**: targets are median-filtered (9 frames) and averaged over half a second. If they
///   stay within 30 % of the window's size, the window is still, centred on their range. Otherwise a
///   follower moves it with a velocity bounded by ``maxStepFraction`` of the source's size per frame and
///   an acceleration bounded by ``maxAccelerationFraction``, braking in time to stop on the target, and
///   with a dead zone of 8 % of the window where it holds still (no jitter).
/// - **Shot boundaries** (the analysis pass's segments) reset the window to the new shot's first target.
enum ReframePlanner {
    /// Bumped when the algorithm changes, so a rendition made by another version is made again.
    static let version = 1
    /// Largest step between two frames, as a fraction of the source's width (or height, for a vertical path).
    static let maxStepFraction = 0.02
    /// Largest change of step from one frame to the next, as a fraction of the source's size.
    static let maxAccelerationFraction = 0.002

    /// The crop size of `aspect` inside a `width` x `height` picture with sample aspect ratio `sar`
    /// (display aspect = width × sar / height), as large as fits, even.
    static func cropSize(width: Int, height: Int, sampleAspect sar: Double, aspect: Double) -> (width: Int, height: Int) {
        let sar = sar > 0 && sar.isFinite ? sar : 1
        let display = Double(width) * sar / Double(height)
        if display > aspect {
            let w = Int((Double(height) * aspect / sar).rounded(.down)) / 2 * 2
            return (max(2, w), height / 2 * 2)
        }
        let h = Int((Double(width) * sar / aspect).rounded(.down)) / 2 * 2
        return (width / 2 * 2, max(2, h))
    }

    static func plan(measures: FrameMeasures, shotStarts: [Int], fps: Double, sourceWidth: Int, sourceHeight: Int,
                     cropWidth: Int, cropHeight: Int, aspect: String) -> ReframePlan {
        let frames = measures.frameCount
        let tw = measures.tinyWidth, th = measures.tinyHeight
        let starts = ([0] + shotStarts.filter { $0 > 0 && $0 < frames }).sorted()
        let uniqueStarts = starts.enumerated().filter { $0.offset == 0 || $0.element != starts[$0.offset - 1] }.map(\.element)
        let horizontal = cropWidth < sourceWidth
        let vertical = cropHeight < sourceHeight
        let stepX = max(1, Int((maxStepFraction * Double(sourceWidth)).rounded()))
        let stepY = max(1, Int((maxStepFraction * Double(sourceHeight)).rounded()))
        // Positions are rounded to even pixels: the float path keeps 2 px of the bound for that.
        let maxStep = horizontal ? stepX : stepY
        var left = [Int](repeating: (sourceWidth - cropWidth) / 4 * 2, count: frames)
        var top = [Int](repeating: (sourceHeight - cropHeight) / 4 * 2, count: frames)
        var modes: [String] = []
        let targets = frameTargets(measures: measures, starts: Set(uniqueStarts), tinyWidth: tw, tinyHeight: th,
                                   windowX: Double(cropWidth) / Double(sourceWidth), windowY: Double(cropHeight) / Double(sourceHeight))
        for (shot, start) in uniqueStarts.enumerated() {
            let end = shot + 1 < uniqueStarts.count ? uniqueStarts[shot + 1] : frames
            guard end > start else { continue }
            var still = true
            if horizontal {
                let path = follow(targets[start..<end].map { $0.x * Double(sourceWidth) }, fps: fps, window: Double(cropWidth),
                                  size: Double(sourceWidth), step: Double(stepX - 2), acceleration: maxAccelerationFraction * Double(sourceWidth))
                still = path.still
                for (i, centre) in path.centres.enumerated() { left[start + i] = edge(centre, window: cropWidth, size: sourceWidth) }
            }
            if vertical {
                let path = follow(targets[start..<end].map { $0.y * Double(sourceHeight) }, fps: fps, window: Double(cropHeight),
                                  size: Double(sourceHeight), step: Double(stepY - 2), acceleration: maxAccelerationFraction * Double(sourceHeight))
                still = still && path.still
                for (i, centre) in path.centres.enumerated() { top[start + i] = edge(centre, window: cropHeight, size: sourceHeight) }
            }
            modes.append(still ? "still" : "follow")
        }
        return ReframePlan(aspect: aspect, cropWidth: cropWidth, cropHeight: cropHeight, shotStarts: uniqueStarts, shotModes: modes,
                           left: left, top: top, maxStep: maxStep,
                           maxAcceleration: maxAccelerationFraction * Double(horizontal ? sourceWidth : sourceHeight))
    }

    /// The window's left (or top) edge for a centre, even and inside the picture.
    private static func edge(_ centre: Double, window: Int, size: Int) -> Int {
        let raw = Int((centre - Double(window) / 2).rounded())
        return min(max(0, raw), size - window) / 2 * 2
    }

    /// Each frame's target centre as fractions of the picture (0...1).
    static func frameTargets(measures: FrameMeasures, starts: Set<Int>, tinyWidth tw: Int, tinyHeight th: Int,
                             windowX: Double, windowY: Double) -> [(x: Double, y: Double)] {
        let count = tw * th
        var result: [(x: Double, y: Double)] = []
        result.reserveCapacity(measures.frameCount)
        var saliency = [Double](repeating: 0, count: count)
        var previous = (x: 0.5, y: 0.5)
        measures.tinyLuma.withUnsafeBufferPointer { all in
            for frame in 0..<measures.frameCount {
                let luma = all.baseAddress! + frame * count
                let before: UnsafePointer<UInt8>? = frame > 0 && !starts.contains(frame) ? luma - count : nil
                var values = (0..<count).map { Int(luma[$0]) }
                values.sort()
                let median = Double(values[count / 2])
                var gradients = [Double](repeating: 0, count: count)
                for y in 0..<th {
                    for x in 0..<tw {
                        let at = y * tw + x
                        let dx = Double(Int(luma[y * tw + min(tw - 1, x + 1)]) - Int(luma[y * tw + max(0, x - 1)]))
                        let dy = Double(Int(luma[min(th - 1, y + 1) * tw + x]) - Int(luma[max(0, y - 1) * tw + x]))
                        gradients[at] = (abs(dx) + abs(dy)) / 2
                    }
                }
                let medianGradient = gradients.sorted()[count / 2]
                var total = 0.0
                for at in 0..<count {
                    let motion = before.map { Double(abs(Int(luma[at]) - Int($0[at]))) } ?? 0
                    let distinct = abs(Double(luma[at]) - median)
                    let contrast = max(0, gradients[at] - medianGradient)
                    let value = 2 * motion + distinct + 0.5 * contrast
                    saliency[at] = value * value
                    total += saliency[at]
                }
                // Almost nothing stands out (a flat or black frame): keep looking where we looked.
                if total < Double(count) * 25 {
                    result.append(previous)
                    continue
                }
                var columns = [Double](repeating: 0, count: tw)
                var rows = [Double](repeating: 0, count: th)
                for y in 0..<th { for x in 0..<tw { columns[x] += saliency[y * tw + x]; rows[y] += saliency[y * tw + x] } }
                let target = (x: bestWindow(columns, fraction: windowX), y: bestWindow(rows, fraction: windowY))
                previous = target
                result.append(target)
            }
        }
        return result
    }

    /// The centre (0...1) of the window of `fraction` of the profile holding the most of it, refined to
    /// the profile's centroid inside that window.
    static func bestWindow(_ profile: [Double], fraction: Double) -> Double {
        let n = profile.count
        let span = min(n, max(1, Int((fraction * Double(n)).rounded())))
        guard span < n else {
            let sum = profile.reduce(0, +)
            guard sum > 0 else { return 0.5 }
            return profile.enumerated().reduce(0) { $0 + (Double($1.offset) + 0.5) * $1.element } / sum / Double(n)
        }
        var best = 0, bestSum = -1.0, sum = profile[0..<span].reduce(0, +)
        for start in 0...(n - span) {
            if start > 0 { sum += profile[start + span - 1] - profile[start - 1] }
            if sum > bestSum { bestSum = sum; best = start }
        }
        var weighted = 0.0
        for i in best..<(best + span) { weighted += (Double(i) + 0.5) * profile[i] }
        let centroid = bestSum > 0 ? weighted / bestSum : Double(best) + Double(span) / 2
        return centroid / Double(n)
    }

    /// A shot's window path along one axis from its frames' targets (pixels).
    static func follow(_ raw: [Double], fps: Double, window: Double, size: Double, step: Double,
                       acceleration: Double) -> (centres: [Double], still: Bool) {
        let count = raw.count
        let lowest = window / 2, highest = size - window / 2
        let clamped = raw.map { min(max($0, lowest), highest) }
        let median = movingMedian(clamped, radius: 4)
        let smoothed = movingAverage(median, radius: max(1, Int((fps > 0 ? fps : 25) / 4)))
        guard let low = smoothed.min(), let high = smoothed.max() else { return ([], true) }
        if high - low <= 0.3 * window {
            return ([Double](repeating: min(max((low + high) / 2, lowest), highest), count: count), true)
        }
        let deadZone = 0.08 * window
        var position = smoothed[0], velocity = 0.0
        var centres: [Double] = []
        centres.reserveCapacity(count)
        for target in smoothed {
            let error = target - position
            var wanted = 0.0
            if abs(error) > deadZone {
                // The fastest speed from which the follower can still stop at the target.
                let braking = (2 * acceleration * (abs(error) - deadZone)).squareRoot()
                wanted = (error > 0 ? 1 : -1) * min(step, braking)
            }
            velocity += min(max(wanted - velocity, -acceleration), acceleration)
            velocity = min(max(velocity, -step), step)
            let next = min(max(position + velocity, lowest), highest)
            velocity = next - position
            position = next
            centres.append(position)
        }
        return (centres, false)
    }

    static func movingMedian(_ values: [Double], radius: Int) -> [Double] {
        values.indices.map { i in
            let window = values[max(0, i - radius)...min(values.count - 1, i + radius)].sorted()
            return window[window.count / 2]
        }
    }

    static func movingAverage(_ values: [Double], radius: Int) -> [Double] {
        var prefix = [0.0]
        prefix.reserveCapacity(values.count + 1)
        for value in values { prefix.append(prefix.last! + value) }
        return values.indices.map { i in
            let low = max(0, i - radius), high = min(values.count - 1, i + radius)
            return (prefix[high + 1] - prefix[low]) / Double(high - low + 1)
        }
    }
}
