/// How the whole picture moved between two consecutive analysis pictures:
/// a translation and a zoom about the centre. Estimated by block matching on
/// the small luma pictures (coarse-to-fine), so it works for every codec,
/// with or without motion vectors.
struct GlobalMotion: Sendable, Equatable {
    /// Content displacement as a fraction of the picture width (positive: content moved right).
    var dx: Float
    /// Content displacement as a fraction of the picture height (positive: content moved down).
    var dy: Float
    /// Relative scale change (positive: content grew, the camera zoomed in).
    var zoom: Float
    /// Mean disagreement of the blocks with the fitted model, in picture fractions:
    /// high for independent motion (not the camera) or unreliable matches.
    var residual: Float
    /// Whether enough textured blocks matched for the estimate to mean anything.
    var reliable: Bool

    static let none = GlobalMotion(dx: 0, dy: 0, zoom: 0, residual: 0, reliable: false)
}

extension GlobalMotion {
    /// The same motion as seen on a picture turned `clockwise` degrees (0, 90,
    /// 180, 270) for display. Turning by 90 maps a stored point (x, y) to
    /// (height - 1 - y, x), so a stored displacement (dx, dy) shows as (-dy, dx);
    /// fractions stay fractions, as the turned picture's width is the stored height.
    func turned(clockwise degrees: Int) -> GlobalMotion {
        var turned = self
        switch ((degrees % 360) + 360) % 360 {
        case 90: (turned.dx, turned.dy) = (-dy, dx)
        case 180: (turned.dx, turned.dy) = (-dx, -dy)
        case 270: (turned.dx, turned.dy) = (dy, -dx)
        default: break
        }
        return turned
    }
}

/// Block matching between consecutive luma pictures. Buffers are reused
/// from frame to frame; one estimate costs a few hundred thousand byte
/// operations on a 128x72 picture.
final class GlobalMotionEstimator {
    let width: Int, height: Int
    private let halfWidth: Int, halfHeight: Int
    private var previous: [UInt8]
    private var previousHalf: [UInt8]
    private var currentHalf: [UInt8]
    private var previousQuarter: [UInt8]
    private var currentQuarter: [UInt8]
    private var hasPrevious = false
    /// Blocks in a 4x3 grid; their centres relative to the picture centre, in pixels.
    private let grid = (columns: 4, rows: 3)

    init(width: Int, height: Int) {
        self.width = width; self.height = height
        halfWidth = width / 2; halfHeight = height / 2
        previous = [UInt8](repeating: 0, count: width * height)
        previousHalf = [UInt8](repeating: 0, count: halfWidth * halfHeight)
        currentHalf = previousHalf
        previousQuarter = [UInt8](repeating: 0, count: (halfWidth / 2) * (halfHeight / 2))
        currentQuarter = previousQuarter
    }

    /// The motion from `previous` to `next`, two analysis lumas of `width` x `height`.
    static func motion(from previous: [UInt8], to next: [UInt8], width: Int, height: Int) -> GlobalMotion {
        let estimator = GlobalMotionEstimator(width: width, height: height)
        _ = estimator.estimate(previous)
        return estimator.estimate(next)
    }

    /// Forgets the previous picture (after a cut, motion across it means nothing).
    func reset() { hasPrevious = false }

    /// Motion from the previous picture to `luma`, which then becomes the previous one.
    func estimate(_ luma: [UInt8]) -> GlobalMotion {
        let w = width, hw = halfWidth, hh = halfHeight
        luma.withUnsafeBufferPointer { l in
            currentHalf.withUnsafeMutableBufferPointer { out in
                for y in 0..<hh {
                    for x in 0..<hw {
                        let i = 2 * y * w + 2 * x
                        out[y * hw + x] = UInt8(truncatingIfNeeded: (Int(l[i]) + Int(l[i + 1]) + Int(l[i + w]) + Int(l[i + w + 1]) + 2) >> 2)
                    }
                }
            }
        }
        let qw = hw / 2, qh = hh / 2
        currentHalf.withUnsafeBufferPointer { l in
            currentQuarter.withUnsafeMutableBufferPointer { out in
                for y in 0..<qh {
                    for x in 0..<qw {
                        let i = 2 * y * hw + 2 * x
                        out[y * qw + x] = UInt8(truncatingIfNeeded: (Int(l[i]) + Int(l[i + 1]) + Int(l[i + hw]) + Int(l[i + hw + 1]) + 2) >> 2)
                    }
                }
            }
        }
        defer {
            swap(&previousQuarter, &currentQuarter)
            swap(&previousHalf, &currentHalf)
            previous.withUnsafeMutableBufferPointer { p in luma.withUnsafeBufferPointer { l in _ = p.update(fromContentsOf: l) } }
            hasPrevious = true
        }
        guard hasPrevious else { return .none }
        // 1. Global translation: +-4 pixels on the quarter-size pictures (+-16 at full
        // analysis size), then +-1 on the half-size ones: cheap, and exact to a pixel.
        let quarter = Self.bestShift(previousQuarter, currentQuarter, width: qw, height: qh,
                                     region: (0, 0, qw, qh), around: (0, 0), radius: 4, margin: 4)
        let coarse = Self.bestShift(previousHalf, currentHalf, width: hw, height: hh,
                                    region: (0, 0, hw, hh), around: (quarter.x * 2, quarter.y * 2), radius: 1, margin: 5)
        // 2. Each block at full analysis size, +-1 pixel around the global shift, with sub-pixel refinement.
        let blockWidth = width / grid.columns, blockHeight = height / grid.rows
        var vectors: [(x: Float, y: Float, rx: Float, ry: Float, wx: Float, wy: Float)] = []
        vectors.reserveCapacity(grid.columns * grid.rows)
        let center = (x: Float(width) / 2, y: Float(height) / 2)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let region = (column * blockWidth, row * blockHeight, blockWidth, blockHeight)
                guard let match = Self.refinedShift(previous, luma, width: width, height: height, region: region,
                                                    around: (coarse.x * 2, coarse.y * 2), radius: 1) else { continue }
                let rx = Float(region.0) + Float(blockWidth) / 2 - center.x
                let ry = Float(region.1) + Float(blockHeight) / 2 - center.y
                vectors.append((match.x, match.y, rx, ry, match.confidenceX, match.confidenceY))
            }
        }
        guard vectors.count >= 4 else { return GlobalMotion(dx: Float(coarse.x * 2) / Float(width), dy: Float(coarse.y * 2) / Float(height), zoom: 0, residual: 0, reliable: false) }
        // 3. Weighted least squares fit of v = t + z * r (translation and zoom about
        // the centre); each component weighs by how sharply its block matched
        // along that axis (vertical stripes say nothing about vertical motion).
        var weightX: Float = 0, weightY: Float = 0, tx: Float = 0, ty: Float = 0
        for v in vectors { tx += v.wx * v.x; ty += v.wy * v.y; weightX += v.wx; weightY += v.wy }
        guard weightX > 0, weightY > 0 else { return .none }
        tx /= weightX; ty /= weightY
        var numerator: Float = 0, denominator: Float = 0
        for v in vectors {
            numerator += v.wx * (v.x - tx) * v.rx + v.wy * (v.y - ty) * v.ry
            denominator += v.wx * v.rx * v.rx + v.wy * v.ry * v.ry
        }
        let zoom = denominator > 0 ? numerator / denominator : 0
        // A flat block (black corners, a letterbox) matched with no confidence either way says nothing of
        // the fit: 0/0 for it made the whole frame's residual not a number.
        var residual: Float = 0, weighed = 0
        for v in vectors where v.wx + v.wy > 0 {
            let ex = v.x - (tx + zoom * v.rx), ey = v.y - (ty + zoom * v.ry)
            residual += (v.wx * ex * ex + v.wy * ey * ey) / (v.wx + v.wy)
            weighed += 1
        }
        residual = weighed > 0 ? (residual / Float(weighed)).squareRoot() / Float(width) : 0
        return GlobalMotion(dx: tx / Float(width), dy: ty / Float(height), zoom: zoom, residual: residual, reliable: true)
    }

    /// The integer shift (content displacement from `a` to `b`) of `region`
    /// with the smallest mean absolute difference.
    private static func bestShift(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int,
                                  region: (Int, Int, Int, Int), around: (Int, Int), radius: Int, margin: Int) -> (x: Int, y: Int) {
        var best = (x: around.0, y: around.1), bestCost = Int.max
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for sy in (around.1 - radius)...(around.1 + radius) {
                    for sx in (around.0 - radius)...(around.0 + radius) {
                        let cost = sad(pa, pb, width: width, height: height, region: region, shift: (sx, sy), margin: margin)
                        if cost < bestCost || (cost == bestCost && abs(sx) + abs(sy) < abs(best.x) + abs(best.y)) {
                            bestCost = cost; best = (sx, sy)
                        }
                    }
                }
            }
        }
        return best
    }

    /// Block shift with sub-pixel refinement (parabola through the costs
    /// around the best integer shift); nil for flat blocks, where any shift matches.
    /// Costs are computed only where needed: the search window and the
    /// neighbours of its best shift.
    private static func refinedShift(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int,
                                     region: (Int, Int, Int, Int), around: (Int, Int), radius: Int) -> (x: Float, y: Float, confidenceX: Float, confidenceY: Float)? {
        let span = 2 * (radius + 1) + 1
        var costs = [Int](repeating: -1, count: span * span)
        var best = (x: around.0, y: around.1), bestCost = Int.max, worst = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                func evaluate(_ sx: Int, _ sy: Int) -> Int {
                    let slot = (sy - around.1 + radius + 1) * span + (sx - around.0 + radius + 1)
                    if costs[slot] >= 0 { return costs[slot] }
                    let cost = sad(pa, pb, width: width, height: height, region: region, shift: (sx, sy), margin: 0)
                    costs[slot] = cost
                    if cost != Int.max { worst = max(worst, cost) }
                    return cost
                }
                for sy in (around.1 - radius)...(around.1 + radius) {
                    for sx in (around.0 - radius)...(around.0 + radius) {
                        let cost = evaluate(sx, sy)
                        if cost < bestCost { bestCost = cost; best = (sx, sy) }
                    }
                }
                if bestCost != Int.max {
                    _ = evaluate(best.x - 1, best.y); _ = evaluate(best.x + 1, best.y)
                    _ = evaluate(best.x, best.y - 1); _ = evaluate(best.x, best.y + 1)
                }
            }
        }
        // A flat block matches everywhere: no information.
        guard bestCost != Int.max, worst > 0, Double(bestCost) < 0.8 * Double(worst) else { return nil }
        func cost(_ x: Int, _ y: Int) -> Double {
            let value = costs[(y - around.1 + radius + 1) * span + (x - around.0 + radius + 1)]
            return value == Int.max ? .infinity : Double(value)
        }
        func vertex(_ minus: Double, _ zero: Double, _ plus: Double) -> Float {
            let curvature = minus - 2 * zero + plus
            guard curvature > 0, minus.isFinite, plus.isFinite else { return 0 }
            return Float(max(-0.5, min(0.5, 0.5 * (minus - plus) / curvature)))
        }
        let fx = vertex(cost(best.x - 1, best.y), Double(bestCost), cost(best.x + 1, best.y))
        let fy = vertex(cost(best.x, best.y - 1), Double(bestCost), cost(best.x, best.y + 1))
        // Confidence per axis: how much worse the neighbouring shifts match.
        let scale = Double(bestCost) + 256
        // (None along an axis whose both neighbours fall outside the picture.)
        func confidence(_ minus: Double, _ plus: Double) -> Float {
            let margin = min(minus, plus) - Double(bestCost)
            return margin.isFinite ? Float(max(0, margin) / scale) : 0
        }
        let confidenceX = confidence(cost(best.x - 1, best.y), cost(best.x + 1, best.y))
        let confidenceY = confidence(cost(best.x, best.y - 1), cost(best.x, best.y + 1))
        return (Float(best.x) + fx, Float(best.y) + fy, confidenceX, confidenceY)
    }

    /// Mean absolute difference (scaled by 256) between `region` of `b` and the
    /// same region of `a` moved by `-shift`, over the pixels inside both pictures.
    @inline(__always)
    private static func sad(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                            region: (Int, Int, Int, Int), shift: (Int, Int), margin: Int) -> Int {
        let x0 = max(region.0 + margin, shift.0, 0), x1 = min(region.0 + region.2 - margin, width + shift.0, width)
        let y0 = max(region.1 + margin, shift.1, 0), y1 = min(region.1 + region.3 - margin, height + shift.1, height)
        guard x1 - x0 >= 4, y1 - y0 >= 4, let baseA = a.baseAddress, let baseB = b.baseAddress else { return Int.max }
        var total = 0
        for y in y0..<y1 {
            total += rowDifference(baseB + y * width + x0, baseA + (y - shift.1) * width - shift.0 + x0, count: x1 - x0)
        }
        return total * 256 / ((x1 - x0) * (y1 - y0))
    }

    /// The sum of absolute differences of two rows: the hot loop of motion estimation. Written as the
    /// plain loop it is (32-bit wrapping arithmetic, no overflow checks) because LLVM then turns it into
    /// `psadbw` on x86 (the SIMD16 version with an abs per lane and a reduction per row was a third slower
    /// than this, its generic conversions being calls). A row is at most a few hundred bytes: no overflow.
    @inline(__always)
    private static func rowDifference(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, count: Int) -> Int {
        var sum: Int32 = 0
        for x in 0..<count {
            let d = Int32(p[x]) &- Int32(q[x])
            sum &+= d < 0 ? 0 &- d : d
        }
        return Int(sum)
    }
}

@available(*, unavailable, message: "A GlobalMotionEstimator keeps per-video state in one task.")
extension GlobalMotionEstimator: Sendable {}
