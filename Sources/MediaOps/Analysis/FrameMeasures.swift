import Foundation
import LibAV

/// What the decode loop keeps of each frame: small enough to keep for the
/// whole video (about 900 bytes a frame), complete enough to decide
/// everything afterwards without decoding again. A plain value, so the parts
/// measured by parallel workers join into one (``append(_:)``).
struct FrameMeasures: Sendable {
    private(set) var timestamps: [Int64] = []
    private(set) var qualities: [FrameQuality] = []
    /// Motion from the previous frame (``GlobalMotion/none`` for the first).
    var motions: [GlobalMotion] = []
    /// Tiny luma pictures, ``tinyCount`` bytes each, one after the other.
    private(set) var tinyLuma: [UInt8] = []
    /// Tiny RGB pictures, ``tinyColorCount`` bytes each.
    private(set) var tinyColor: [UInt8] = []
    /// Point-sampled colours, ``tinyColorCount`` bytes a frame, for dominant colours.
    private(set) var colorPoints: [UInt8] = []
    let tinyWidth: Int, tinyHeight: Int
    let tinyCount: Int, tinyColorCount: Int
    var frameCount: Int { timestamps.count }

    init(tinyWidth: Int, tinyHeight: Int, tinyColorCount: Int) {
        self.tinyWidth = tinyWidth; self.tinyHeight = tinyHeight
        tinyCount = tinyWidth * tinyHeight
        self.tinyColorCount = tinyColorCount
    }

    mutating func reserve(frames: Int) {
        timestamps.reserveCapacity(frames); qualities.reserveCapacity(frames); motions.reserveCapacity(frames)
        tinyLuma.reserveCapacity(frames * tinyCount); tinyColor.reserveCapacity(frames * tinyColorCount)
        colorPoints.reserveCapacity(frames * tinyColorCount)
    }

    /// Records one frame from the shrinker's current pictures.
    mutating func record(timestamp: Int64, shrinker: AnalysisShrinker, motion: GlobalMotion) {
        timestamps.append(timestamp)
        qualities.append(shrinker.quality())
        motions.append(motion)
        shrinker.appendTinyLuma(to: &tinyLuma)
        shrinker.appendTinyColor(to: &tinyColor)
        shrinker.appendColorSamples(to: &colorPoints)
    }

    /// Appends the frames measured after these (the next part of the video).
    mutating func append(_ next: FrameMeasures) {
        timestamps += next.timestamps; qualities += next.qualities; motions += next.motions
        tinyLuma += next.tinyLuma; tinyColor += next.tinyColor; colorPoints += next.colorPoints
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

    /// Calls `body` with frame `index`'s tiny luma picture (``tinyCount`` bytes).
    func withTinyLuma<T>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        tinyLuma.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[(index * tinyCount)..<((index + 1) * tinyCount)]))
        }
    }

    /// Mean absolute difference between two frames' tiny pictures (luma and colour), 0-255.
    func distance(_ a: Int, _ b: Int) -> Double {
        let n = tinyCount, m = tinyColorCount
        let lumaSum = tinyLuma.withUnsafeBufferPointer { Self.absoluteDifference($0, a * n, b * n, count: n) }
        let colorSum = tinyColor.withUnsafeBufferPointer { Self.absoluteDifference($0, a * m, b * m, count: m) }
        // The larger of the two: a cut between shots of equal brightness but
        // different hue shows only in colour, a change of texture mostly in luma.
        return max(Double(lumaSum) / Double(n), Double(colorSum) / Double(m))
    }

    /// The sum of absolute differences of `count` bytes from `first` and from `second` in `bytes`,
    /// less `offset` each. In wrapping arithmetic, which the compiler turns into vector instructions
    /// (the decisions call this thousands of times a video, for every stretch of frames they test);
    /// it cannot wrap: a tiny picture has a few thousand bytes at most, and the sum would need 8 million.
    static func absoluteDifference(_ bytes: UnsafeBufferPointer<UInt8>, _ first: Int, _ second: Int, count: Int,
                                   offset: Int32 = 0) -> Int {
        guard let base = bytes.baseAddress, count > 0 else { return 0 }
        let x = base + first, y = base + second
        var sum: UInt32 = 0
        for i in 0..<count {
            let d = Int32(x[i]) &- Int32(y[i]) &- offset
            sum &+= UInt32(bitPattern: d < 0 ? 0 &- d : d)
        }
        return Int(sum)
    }

    /// Like ``distance(_:_:)`` on luma with each picture's mean removed: what
    /// differs in structure, not in overall brightness (a fade changes only the latter).
    func structuralDistance(_ a: Int, _ b: Int) -> Double {
        let n = tinyCount
        let total = tinyLuma.withUnsafeBufferPointer { p in
            var sumA: UInt32 = 0, sumB: UInt32 = 0
            for i in 0..<n { sumA &+= UInt32(p[a * n + i]); sumB &+= UInt32(p[b * n + i]) }
            let offset = (Int(sumA) - Int(sumB)) / n
            return Self.absoluteDifference(p, a * n, b * n, count: n, offset: Int32(offset))
        }
        return Double(total) / Double(n)
    }

    /// Frame `k` as a mix of frames `a` and `b`: the share `t` of `b` that fits
    /// best (least squares, on luma), and how far `k` stays from that mix (mean
    /// absolute difference, 0-255). Every frame of a dissolve is such a mix,
    /// whatever its timing; the frames of a pan or a zoom are not.
    func blendFit(_ a: Int, _ k: Int, _ b: Int) -> (t: Double, residual: Double) {
        tinyLuma.withUnsafeBufferPointer { Self.blendFit($0, a, k, b, count: tinyCount) }
    }

    /// ``blendFit(_:_:_:)`` on the tiny colour pictures: a fade to black or to white blends each colour, but a
    /// blue card is a darker green one by its luma alone.
    func colorBlendFit(_ a: Int, _ k: Int, _ b: Int) -> (t: Double, residual: Double) {
        tinyColor.withUnsafeBufferPointer { Self.blendFit($0, a, k, b, count: tinyColorCount) }
    }

    /// Picture `k` of `pictures` (`count` bytes each) as a mix of pictures `a` and `b`.
    private static func blendFit(_ pictures: UnsafeBufferPointer<UInt8>, _ a: Int, _ k: Int, _ b: Int, count n: Int) -> (t: Double, residual: Double) {
        let pa = pictures.baseAddress! + a * n, pb = pictures.baseAddress! + b * n, pk = pictures.baseAddress! + k * n
        let t = share(pa, pk, pb, count: n)
        var sum = 0.0
        for i in 0..<n {
            sum += abs(Double(pk[i]) - (1 - t) * Double(pa[i]) - t * Double(pb[i]))
        }
        return (t, sum / Double(n))
    }

    /// How far frame `k` is from a picture made of parts of frames `a` and `b` as they are, each part
    /// showing one of them (a wipe: an edge, a circle or a clock hand sweeping the new shot in): the mean
    /// over the tiny picture of each pixel's distance to the nearer end (0-255), and the share `t` of
    /// the pixels that change between the ends by at least half their mean change that are nearer `b`.
    ///
    /// The middle of a dissolve is near neither end anywhere (half the change away from both), and the
    /// pictures of a pan or a zoom over detail are shifted copies, near neither; a wipe's frames are
    /// near one end everywhere but along the moving edge.
    func wipeFit(_ a: Int, _ k: Int, _ b: Int) -> (t: Double, residual: Double) {
        let n = tinyCount
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n, pk = p.baseAddress! + k * n
            let total = Self.absoluteDifference(p, a * n, b * n, count: n)
            var sum = 0, changing = 0, nearerB = 0
            for i in 0..<n {
                let toA = abs(Int(pk[i]) - Int(pa[i])), toB = abs(Int(pk[i]) - Int(pb[i]))
                sum += min(toA, toB)
                // At least half the mean change, in integers: 2 |b - a| n >= total.
                if 2 * abs(Int(pb[i]) - Int(pa[i])) * n >= total {
                    changing += 1
                    if toB < toA { nearerB += 1 }
                }
            }
            return (changing > 0 ? Double(nearerB) / Double(changing) : 0, Double(sum) / Double(n))
        }
    }

    /// How far frame `k` is from a push (a slide) between frames `a` and `b` along one axis: the pictures
    /// moved by `shift` tiny pixels (negative: left or up), `a` going out on one side and `b` coming in
    /// from the other, their edges meeting. The mean absolute difference over the tiny picture (0-255),
    /// pictures sampled between pixels by linear interpolation.
    ///
    /// In a push both pictures move. `oldMoves` or `newMoves` false gives the transitions it is told
    /// from: the new picture sliding in over the old one held still (a cover), or the old one sliding
    /// away from the new one held still (a reveal, as when a sheet of paper held before the lens is
    /// pulled away).
    func pushResidual(_ a: Int, _ k: Int, _ b: Int, shift: Double, horizontal: Bool,
                      oldMoves: Bool = true, newMoves: Bool = true) -> Double {
        let w = tinyWidth, h = tinyHeight, n = tinyCount
        let length = horizontal ? w : h
        let moved = abs(shift), full = Double(length)
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n, pk = p.baseAddress! + k * n
            /// `picture` at `position` along the axis (interpolated, clamped to the picture) and `across` it.
            func sample(_ picture: UnsafePointer<UInt8>, _ position: Double, _ across: Int) -> Double {
                let clamped = min(full - 1, max(0, position))
                let low = Int(clamped), high = min(length - 1, low + 1), fraction = clamped - Double(low)
                func at(_ along: Int) -> Double { Double(horizontal ? picture[across * w + along] : picture[along * w + across]) }
                return at(low) * (1 - fraction) + at(high) * fraction
            }
            var sum = 0.0
            for across in 0..<(horizontal ? h : w) {
                for along in 0..<length {
                    let x = Double(along)
                    let expected: Double
                    if shift <= 0 {
                        // Moving left or up: the new picture comes in at the far end.
                        expected = x < full - moved ? sample(pa, oldMoves ? x + moved : x, across)
                                                    : sample(pb, newMoves ? x + moved - full : x, across)
                    } else {
                        expected = x < moved ? sample(pb, newMoves ? x - moved + full : x, across)
                                             : sample(pa, oldMoves ? x - moved : x, across)
                    }
                    let seen = Double(horizontal ? pk[across * w + along] : pk[along * w + across])
                    sum += abs(seen - expected)
                }
            }
            return sum / Double(n)
        }
    }

    /// How much the seam of a push from `a` to `b` stands out, the pictures `offset` tiny pixels apart along
    /// the axis (columns when `horizontal`, else rows; the move measured over the push): where the old
    /// picture's line nearest the new one meets the new one's first line (`newAtEnd`: the new picture
    /// comes in at the far end, right or bottom; else at the start, and both are read from the far end).
    ///
    /// Two pictures joined edge to edge jump there all along the seam; a camera panning about one
    /// picture's length over one scene makes the same frames, but its two ends are one scene, which goes
    /// on across that line, mostly with no edge at all and at most one of its own. Measured on the tiny
    /// luma and on each colour of the tiny colour pictures (two pictures may meet in the same grey, not
    /// in the same colour), the largest: the seam's mean jump over the 90th percentile of the mean jumps
    /// between lines as far apart inside the two pictures, times the share of the seam (the rows of a
    /// column) where it jumps by more than the 75th percentile of the pictures' own jumps in that row and
    /// two levels. 0 where it is no edge; above 1 where it is a jump the pictures rarely have, along most
    /// of its length.
    func seamContrast(_ a: Int, _ b: Int, offset: Int, horizontal: Bool, newAtEnd: Bool) -> Double {
        largestOverPlanes { plane, width, height, step, scale in
            Self.seamContrast(plane(a), plane(b), width: width, height: height, step: step, offset: (offset + scale - 1) / scale,
                              horizontal: horizontal, newAtEnd: newAtEnd)
        }
    }

    /// The largest of `measure` over the tiny luma and each colour of the tiny colour pictures, which have half
    /// the luma's pixels each way (two pictures may meet in the same grey, not in the same colour). `measure`
    /// is given where a frame's plane starts, the plane's width, height and step between its values, and how
    /// many luma pixels one of its pixels spans.
    private func largestOverPlanes(_ measure: (_ plane: (Int) -> UnsafePointer<UInt8>, _ width: Int, _ height: Int, _ step: Int,
                                               _ scale: Int) -> Double) -> Double {
        let luma = tinyLuma.withUnsafeBufferPointer { p in
            measure({ p.baseAddress! + $0 * tinyCount }, tinyWidth, tinyHeight, 1, 1)
        }
        let colorWidth = tinyWidth / 2, colorHeight = tinyHeight / 2
        guard colorWidth * colorHeight * 3 == tinyColorCount else { return luma }
        return tinyColor.withUnsafeBufferPointer { p in
            (0..<3).reduce(luma) { best, channel in
                max(best, measure({ p.baseAddress! + $0 * tinyColorCount + channel }, colorWidth, colorHeight, 3, 2))
            }
        }
    }

    /// The score both seam measures give a line across `span` rows: the mean of `seam` (its jump in each row)
    /// over the 90th percentile of the mean jumps of the `lines` lines compared with it (`jump` in each row),
    /// times the share of the rows where the seam jumps by more than the 75th percentile of that row's jumps
    /// and two levels.
    private static func seamScore(span: Int, lines: Int, jump: (_ across: Int, _ line: Int) -> Int, seam: (_ across: Int) -> Int) -> Double {
        var lineJumps = [Int](repeating: 0, count: lines), rowJumps = lineJumps
        var seamTotal = 0, jumpingRows = 0
        for across in 0..<span {
            for line in 0..<lines {
                let value = jump(across, line)
                rowJumps[line] = value
                lineJumps[line] += value
            }
            rowJumps.sort()
            let jumped = seam(across)
            seamTotal += jumped
            if jumped > rowJumps[(lines - 1) * 3 / 4] + 2 { jumpingRows += 1 }
        }
        lineJumps.sort()
        let typical = max(0.5, Double(lineJumps[(lines - 1) * 9 / 10]) / Double(span))
        return Double(seamTotal) / Double(span) / typical * Double(jumpingRows) / Double(span)
    }

    /// ``seamContrast(_:_:offset:horizontal:newAtEnd:)`` on one plane of two pictures of `width` x `height`
    /// values, `step` bytes apart.
    private static func seamContrast(_ pa: UnsafePointer<UInt8>, _ pb: UnsafePointer<UInt8>, width: Int, height: Int, step: Int,
                                     offset: Int, horizontal: Bool, newAtEnd: Bool) -> Double {
        let length = horizontal ? width : height, span = horizontal ? height : width
        // The old picture's line next to the new one's first, and how many lines apart they lie in the scene a
        // pan would show: 1 where the pictures overlap or meet, more across a gap.
        let last = min(length - 1, max(0, offset - 1)), apart = max(1, offset - last)
        guard length - apart >= 2, span >= 1 else { return 0 }
        func at(_ picture: UnsafePointer<UInt8>, _ along: Int, _ across: Int) -> Int {
            let line = newAtEnd ? along : length - 1 - along
            return Int(picture[(horizontal ? across * width + line : line * width + across) * step])
        }
        // The pairs of lines as far apart inside each picture, the old picture's and the new one's alternately.
        let pairs = length - apart
        return seamScore(span: span, lines: 2 * pairs, jump: { across, line in
            let picture = line % 2 == 0 ? pa : pb, along = line / 2
            return abs(at(picture, along + apart, across) - at(picture, along, across))
        }, seam: { across in abs(at(pb, 0, across) - at(pa, last, across)) })
    }

    /// How well frame `b` is frame `a` turned about the picture's centre: over the angles of 6 to 180 degrees
    /// either way, in steps of 3, the least ratio of `b`'s mean difference from `a` turned to its mean difference
    /// from `a` as it is, both over the pixels the turned picture covers (at least two fifths of the frame),
    /// on the tiny luma. About 1 or more for two different pictures; well below for a picture spinning in place,
    /// whose black corners sweep round as a wipe's edge does.
    func turnedMatch(_ a: Int, _ b: Int) -> Double {
        let w = tinyWidth, h = tinyHeight, n = tinyCount
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n
            let centreX = Double(w) / 2, centreY = Double(h) / 2
            var best = Double.infinity
            for degrees in stride(from: 6, through: 180, by: 3) {
                for sign in [-1.0, 1.0] where degrees < 180 || sign > 0 {
                    let angle = sign * Double(degrees) * .pi / 180
                    let cosine = cos(angle), sine = sin(angle)
                    var turned = 0.0, plain = 0.0, covered = 0
                    for y in 0..<h {
                        for x in 0..<w {
                            // Where pixel (x, y) of `b` comes from in `a`, turned back.
                            let dx = Double(x) + 0.5 - centreX, dy = Double(y) + 0.5 - centreY
                            let u = cosine * dx + sine * dy + centreX - 0.5, v = -sine * dx + cosine * dy + centreY - 0.5
                            guard u >= 0, v >= 0, u <= Double(w - 1), v <= Double(h - 1) else { continue }
                            let x0 = min(Int(u), w - 2), y0 = min(Int(v), h - 2)
                            let fx = u - Double(x0), fy = v - Double(y0)
                            let top = Double(pa[y0 * w + x0]) * (1 - fx) + Double(pa[y0 * w + x0 + 1]) * fx
                            let bottom = Double(pa[(y0 + 1) * w + x0]) * (1 - fx) + Double(pa[(y0 + 1) * w + x0 + 1]) * fx
                            let seen = Double(pb[y * w + x])
                            turned += abs(seen - (top * (1 - fy) + bottom * fy))
                            plain += abs(seen - Double(pa[y * w + x]))
                            covered += 1
                        }
                    }
                    guard covered * 5 >= n * 2, plain > 0 else { continue }
                    best = min(best, turned / plain)
                }
            }
            return best
        }
    }

    /// How much frame `k` jumps across the line at `position` tiny pixels along the axis (columns when
    /// `horizontal`, else rows): where a push's two pictures meet in it, if it is one. The pixels either side of
    /// the one the line runs through (that one is a mix), two apart, against the frame's own jumps between
    /// pixels two apart elsewhere, as ``seamContrast(_:_:offset:horizontal:newAtEnd:)`` measures the seam of two
    /// pictures laid side by side: the mean jump over the 90th percentile of the lines' mean jumps, times the
    /// share of the line where it jumps more than the 75th percentile of its row and two levels. On the tiny
    /// luma and each colour of the tiny colour pictures, the largest.
    ///
    /// Where a camera pans one picture's length over one scene, the line is where its first view ends, and the
    /// scene goes on across it in every frame: measured in the frames themselves, it does not depend on adding
    /// up the move exactly (the ends laid side by side do, and the estimator loses a pixel or two of a quick pan).
    func seamContrast(in k: Int, at position: Double, horizontal: Bool) -> Double {
        largestOverPlanes { plane, width, height, step, scale in
            Self.seamContrast(in: plane(k), width: width, height: height, step: step, at: position / Double(scale), horizontal: horizontal)
        }
    }

    /// ``seamContrast(in:at:horizontal:)`` on one plane of a picture of `width` x `height` values, `step` bytes apart.
    private static func seamContrast(in pk: UnsafePointer<UInt8>, width: Int, height: Int, step: Int, at position: Double,
                                     horizontal: Bool) -> Double {
        let length = horizontal ? width : height, span = horizontal ? height : width
        let through = Int(position.rounded(.down)), before = through - 1, after = through + 1
        guard before >= 0, after < length, length >= 6 else { return 0 }
        func at(_ along: Int, _ across: Int) -> Int { Int(pk[(horizontal ? across * width + along : along * width + across) * step]) }
        /// The pairs of pixels two apart that do not reach the line's pixel.
        let pairs = (0..<(length - 2)).filter { $0 < through - 2 || $0 > through }
        return seamScore(span: span, lines: pairs.count, jump: { across, line in abs(at(pairs[line] + 2, across) - at(pairs[line], across)) },
                         seam: { across in abs(at(after, across) - at(before, across)) })
    }

    /// How many columns (`horizontal`) or rows of frame `k`, counted from its start (left, top) or from its
    /// far end, show frame `held` in place: each within a third of what changes there between `held` and
    /// `other` (and a level a pixel). Where one picture slides over the other held still, that is the still
    /// picture's part of the frame, and where it ends, the edge.
    func heldRun(_ k: Int, holding held: Int, other: Int, horizontal: Bool, fromStart: Bool) -> Int {
        let w = tinyWidth, n = tinyCount
        let lines = horizontal ? tinyWidth : tinyHeight, span = horizontal ? tinyHeight : tinyWidth
        return tinyLuma.withUnsafeBufferPointer { p in
            let ph = p.baseAddress! + held * n, po = p.baseAddress! + other * n, pk = p.baseAddress! + k * n
            var run = 0
            for step in 0..<lines {
                let line = fromStart ? step : lines - 1 - step
                var toHeld = 0, change = 0
                for j in 0..<span {
                    let i = horizontal ? j * w + line : line * w + j
                    toHeld += abs(Int(pk[i]) - Int(ph[i]))
                    change += abs(Int(po[i]) - Int(ph[i]))
                }
                guard 3 * toHeld <= change + 3 * span else { break }
                run += 1
            }
            return run
        }
    }

    /// The share `t` of `pb` in `pk` as a mix of `pa` and `pb` that fits best (least squares), 0-1.
    private static func share(_ pa: UnsafePointer<UInt8>, _ pk: UnsafePointer<UInt8>, _ pb: UnsafePointer<UInt8>, count n: Int) -> Double {
        // In integers: the same exact sums the doubles held (products of bytes), without conversions.
        var dot = 0, norm = 0
        for i in 0..<n {
            let d = Int(pb[i]) - Int(pa[i])
            dot += (Int(pk[i]) - Int(pa[i])) * d
            norm += d * d
        }
        return norm > 0 ? min(1, max(0, Double(dot) / Double(norm))) : 0
    }

    /// ``blendFit(_:_:_:)`` with the residual taken where the ends differ and most of the picture
    /// blends: over the pixels that change between `a` and `b` by at least half their mean change,
    /// leaving out the fifth of them that fits worst (nil when fewer than a quarter change).
    ///
    /// A dissolve into or out of a shot where something moves (hands typing in front of the lens, a
    /// paper raised into view) blends everywhere but where that thing moves; over the whole picture it
    /// fits no better than a camera move does. A thing moving in one shot is no such blend either
    /// way: the pixels it leaves and reaches are the ones that change, and each switches from one
    /// end's value to the other's at its own frame instead of mixing (the pixels that stay, which any
    /// share fits, are not counted).
    func blendFitOfMost(_ a: Int, _ k: Int, _ b: Int) -> (t: Double, residual: Double)? {
        let n = tinyCount
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n, pk = p.baseAddress! + k * n
            let t = Self.share(pa, pk, pb, count: n)
            let total = Self.absoluteDifference(p, a * n, b * n, count: n)
            // At least half the mean change, in integers: 2 |b - a| n >= total.
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { residuals in
                var count = 0
                for i in 0..<n where 2 * abs(Int(pb[i]) - Int(pa[i])) * n >= total {
                    residuals[count] = abs(Double(pk[i]) - (1 - t) * Double(pa[i]) - t * Double(pb[i]))
                    count += 1
                }
                guard count * 4 >= n else { return nil }
                let kept = max(1, count * 4 / 5)
                Self.putSmallestFirst(UnsafeMutableBufferPointer(rebasing: residuals[0..<count]), kept)
                var sum = 0.0
                for i in 0..<kept { sum += residuals[i] }
                return (t, sum / Double(kept))
            }
        }
    }

    /// Reorders `values` so that its `count` smallest come first, in no order (quickselect: sorting
    /// every fit's residuals cost a twentieth of `segments` on footage full of moving hands).
    private static func putSmallestFirst(_ values: UnsafeMutableBufferPointer<Double>, _ count: Int) {
        var low = 0, high = values.count - 1
        while low < high {
            let pivot = values[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j { values.swapAt(i, j); i += 1; j -= 1 }
            }
            // [low, j] <= pivot <= [i, high], and what lies between equals the pivot.
            if count <= j { high = j } else if count >= i { low = i } else { return }
        }
    }

    /// The centred sums of frames `a` and `b`'s tiny luma: of their products and of each one's squares,
    /// each `pixels` times the covariance and the variances. Summed in integers, exact.
    private func centredSums(_ a: Int, _ b: Int) -> (products: Double, squaresA: Double, squaresB: Double, pixels: Double) {
        let n = tinyCount
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n
            var sumA = 0, sumB = 0, sumAA = 0, sumBB = 0, sumAB = 0
            for i in 0..<n {
                let x = Int(pa[i]), y = Int(pb[i])
                sumA += x; sumB += y; sumAA += x * x; sumBB += y * y; sumAB += x * y
            }
            let count = Double(n)
            return (Double(sumAB) - Double(sumA) * Double(sumB) / count, Double(sumAA) - Double(sumA) * Double(sumA) / count,
                    Double(sumBB) - Double(sumB) * Double(sumB) / count, count)
        }
    }

    /// Covariance of frames `a` and `b`'s tiny luma, per pixel (levels squared); of a frame with itself, its variance.
    func covariance(_ a: Int, _ b: Int) -> Double {
        let sums = centredSums(a, b)
        return sums.products / sums.pixels
    }

    /// How alike frames `a` and `b` are once brightness and contrast are set aside: the correlation
    /// of their tiny luma pictures (Pearson's, -1 to 1; 0 when either is flat). The same view under
    /// other light (a camera's exposure settling, a title card's background brightening) stays above
    /// 0.95; the two shots of a dissolve in the spliced benchmark (``SegmentDecider``) stay below 0.7.
    func correlation(_ a: Int, _ b: Int) -> Double {
        let sums = centredSums(a, b)
        guard sums.squaresA > 0, sums.squaresB > 0 else { return 0 }
        return sums.products / (sums.squaresA * sums.squaresB).squareRoot()
    }

    /// The share of the picture whose tiny luma changes by at least `level` from frame `a` to frame
    /// `b`, leaving out the rows and columns at the edges that are dark in both (letterbox and
    /// pillarbox bars, where no change of shot shows). A change of shot reaches most of the picture;
    /// a part of one shot changing (a clock hand, colour bars scrolling behind a test card's
    /// captions) leaves most of it as it was.
    func changedShare(_ a: Int, _ b: Int, level: Int = 8) -> Double {
        let w = tinyWidth, h = tinyHeight, n = tinyCount
        /// Dark in the tiny pictures: below about a tenth of full brightness.
        let darkLevel = 24
        return tinyLuma.withUnsafeBufferPointer { p in
            let pa = p.baseAddress! + a * n, pb = p.baseAddress! + b * n
            func dark(_ x: Int, _ y: Int) -> Bool { pa[y * w + x] <= darkLevel && pb[y * w + x] <= darkLevel }
            var top = 0, bottom = h, left = 0, right = w
            while top < bottom, (0..<w).allSatisfy({ dark($0, top) }) { top += 1 }
            while bottom > top, (0..<w).allSatisfy({ dark($0, bottom - 1) }) { bottom -= 1 }
            while left < right, (top..<bottom).allSatisfy({ dark(left, $0) }) { left += 1 }
            while right > left, (top..<bottom).allSatisfy({ dark(right - 1, $0) }) { right -= 1 }
            guard top < bottom, left < right else { return 0 }
            var changed = 0
            for y in top..<bottom {
                for x in left..<right where abs(Int(pa[y * w + x]) - Int(pb[y * w + x])) >= level { changed += 1 }
            }
            return Double(changed) / Double((bottom - top) * (right - left))
        }
    }

    /// The luma change from frame `i - 1` to frame `i` as it is (`plain`) and
    /// after moving the previous picture by the camera motion measured between
    /// them (`compensated`, never more than `plain`): a pan or zoom changes
    /// every pixel yet leaves little once compensated; a cut leaves as much.
    func lumaChange(at i: Int) -> (plain: Double, compensated: Double) {
        let w = tinyWidth, h = tinyHeight, n = tinyCount
        let motion = motions[i]
        var plain = 0, moved = 0, movedCount = 0
        let shiftX = Double(motion.dx) * Double(w), shiftY = Double(motion.dy) * Double(h)
        let scale = 1 + Double(motion.zoom)
        let centreX = Double(w - 1) / 2, centreY = Double(h - 1) / 2
        let compensate = motion.reliable && scale > 0.5 && (abs(shiftX) >= 0.5 || abs(shiftY) >= 0.5 || abs(scale - 1) * Double(w) >= 1)
        tinyLuma.withUnsafeBufferPointer { p in
            let current = i * n, previous = (i - 1) * n
            for y in 0..<h {
                let fromY = Int((centreY + (Double(y) - shiftY - centreY) / scale).rounded())
                for x in 0..<w {
                    let value = Int(p[current + y * w + x])
                    let d = value - Int(p[previous + y * w + x])
                    plain += d < 0 ? -d : d
                    guard compensate else { continue }
                    let fromX = Int((centreX + (Double(x) - shiftX - centreX) / scale).rounded())
                    guard fromX >= 0, fromX < w, fromY >= 0, fromY < h else { continue }
                    let e = value - Int(p[previous + fromY * w + fromX])
                    moved += e < 0 ? -e : e
                    movedCount += 1
                }
            }
        }
        let plainMean = Double(plain) / Double(n)
        guard compensate, movedCount * 2 >= n else { return (plainMean, plainMean) }
        return (plainMean, min(plainMean, Double(moved) / Double(movedCount)))
    }

    /// Luma (16 bins) and colour (8 bins per RGB channel) histograms of a frame,
    /// each normalised to sum 1, one after the other: what a frame looks like
    /// regardless of where things are in it.
    func histogram(_ frame: Int) -> [Double] {
        var bins = [Double](repeating: 0, count: 16 + 24)
        let n = tinyCount, m = tinyColorCount
        tinyLuma.withUnsafeBufferPointer { p in
            for i in 0..<n { bins[Int(p[frame * n + i]) >> 4] += 1 / Double(n) }
        }
        tinyColor.withUnsafeBufferPointer { p in
            for i in 0..<m { bins[16 + (i % 3) * 8 + Int(p[frame * m + i]) >> 5] += 3 / Double(m) }
        }
        return bins
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
        for f in frames { out.append(contentsOf: colorPoints[(f * tinyColorCount)..<((f + 1) * tinyColorCount)]) }
        return out
    }
}
