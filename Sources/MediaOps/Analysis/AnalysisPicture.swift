import LibAV

/// Shrinks each decoded frame ONCE into the small pictures every analyser
/// reads: a full-range luma picture of about 128x72 (motion, quality, hashes),
/// the mean RGB and the centre pixel's RGB of each 8x8 cell of it (colours),
/// and a tiny luma reduction kept for the whole video (cut and transition
/// decisions look back and ahead in it).
///
/// 8-bit planar YUV is sampled straight from its planes (``PlanarSampler``);
/// every other format goes through swscale to RGB. All buffers are allocated
/// once and reused: the per-frame work allocates nothing.
final class AnalysisShrinker {
    /// Size of the analysis picture (multiples of 8).
    let width: Int, height: Int
    /// Size of the tiny luma picture (width/4 x height/4) and tiny RGB picture (width/8 x height/8).
    let tinyWidth: Int, tinyHeight: Int, tinyColorWidth: Int, tinyColorHeight: Int
    private let sampler: PlanarSampler
    private var scaler: Scaler?
    private var scaled: Frame?
    /// Packed RGB of the current frame, `width * height * 3` (swscale path only).
    private var rgb: [UInt8]
    /// Full-range luma of the current frame, `width * height`.
    private(set) var luma: [UInt8]
    /// Mean RGB of each 8x8 cell of the current frame (``tinyColorCount`` bytes).
    private var cellColors: [UInt8]
    /// RGB of each cell's centre pixel: real pixel colours, not the blends
    /// that averaging makes along every edge (``tinyColorCount`` bytes).
    private var cellPoints: [UInt8]

    /// The analysis picture size for a source size: about 128x72 pixels with
    /// the source's aspect, in multiples of 8.
    static func analysisSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        let size = LumaShrinker.size(forSourceWidth: max(8, sourceWidth), height: max(8, sourceHeight), targetPixels: 128 * 72)
        return (max(8, (size.width + 4) / 8 * 8), max(8, (size.height + 4) / 8 * 8))
    }

    init(sourceWidth: Int, sourceHeight: Int) {
        (width, height) = Self.analysisSize(sourceWidth: sourceWidth, sourceHeight: sourceHeight)
        tinyWidth = width / 4; tinyHeight = height / 4
        tinyColorWidth = width / 8; tinyColorHeight = height / 8
        sampler = PlanarSampler(width: width, height: height, cell: 8)
        rgb = []
        luma = [UInt8](repeating: 0, count: width * height)
        cellColors = [UInt8](repeating: 0, count: tinyColorWidth * tinyColorHeight * 3)
        cellPoints = cellColors
    }

    var tinyCount: Int { tinyWidth * tinyHeight }
    var tinyColorCount: Int { tinyColorWidth * tinyColorHeight * 3 }

    /// Shrinks `frame` (any size and pixel format; sizes may change mid-stream).
    /// The source range and matrix are taken from the frame so that black is 0
    /// and white 255 for limited and full range alike.
    func shrink(_ frame: Frame) throws(AVError) {
        if PlanarSampler.accepts(frame.pixelFormat),
           sampler.sample(frame, luma: &luma, cellColors: &cellColors, cellPoints: &cellPoints) {
            return
        }
        try scaleToRGB(frame)
        measureCells()
    }

    /// The general path: swscale to packed RGB, and luma from it with the
    /// weights of the frame's own YUV matrix, so that it is the full-range Y
    /// the planar path reads (one brightness whichever way a frame comes in).
    private func scaleToRGB(_ frame: Frame) throws(AVError) {
        if scaler == nil || !(scaler?.accepts(frame) ?? false) {
            let newScaler = try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                                       destinationWidth: width, destinationHeight: height, destinationFormat: .rgb24,
                                       algorithm: .area)
            try? newScaler.setSourceColorimetry(matrix: frame.colorMatrix, fullRange: frame.isFullRange)
            scaler = newScaler
            scaled = try newScaler.makeDestinationFrame()
            if rgb.isEmpty { rgb = [UInt8](repeating: 0, count: width * height * 3) }
        }
        guard let scaler, let scaled else { return }
        try scaler.scale(frame, into: scaled)
        // Luma weights in 8.8 fixed point, summing to 256.
        let matrix = YUVMatrix(matrix: frame.colorMatrix, fullRange: true)
        let wr = UInt32((matrix.kr * 256).rounded()), wb = UInt32((matrix.kb * 256).rounded()), wg = 256 - wr - wb
        let rowBytes = width * 3
        let w = width, h = height
        scaled.withUnsafePlane(0, rows: h) { source, lineSize in
            guard let base = source.baseAddress, lineSize >= rowBytes else { return }
            rgb.withUnsafeMutableBufferPointer { rgbOut in
                luma.withUnsafeMutableBufferPointer { lumaOut in
                    guard let rgbBase = rgbOut.baseAddress, let lumaBase = lumaOut.baseAddress else { return }
                    for y in 0..<h {
                        let row = base.advanced(by: y * lineSize).assumingMemoryBound(to: UInt8.self)
                        (rgbBase + y * rowBytes).update(from: row, count: rowBytes)
                        let lumaRow = lumaBase + y * w
                        for x in 0..<w {
                            let r = UInt32(row[3 * x]), g = UInt32(row[3 * x + 1]), b = UInt32(row[3 * x + 2])
                            lumaRow[x] = UInt8(truncatingIfNeeded: (wr * r + wg * g + wb * b + 128) >> 8)
                        }
                    }
                }
            }
        }
    }

    /// Cell means and centre pixels from the RGB picture (swscale path).
    private func measureCells() {
        let w = width, tw = tinyColorWidth, th = tinyColorHeight
        rgb.withUnsafeBufferPointer { p in
            var out = 0
            for ty in 0..<th {
                for tx in 0..<tw {
                    var r = 0, g = 0, b = 0
                    for dy in 0..<8 {
                        var index = ((ty * 8 + dy) * w + tx * 8) * 3
                        for _ in 0..<8 {
                            r += Int(p[index]); g += Int(p[index + 1]); b += Int(p[index + 2])
                            index += 3
                        }
                    }
                    cellColors[out] = UInt8(truncatingIfNeeded: (r + 32) >> 6)
                    cellColors[out + 1] = UInt8(truncatingIfNeeded: (g + 32) >> 6)
                    cellColors[out + 2] = UInt8(truncatingIfNeeded: (b + 32) >> 6)
                    let centre = ((ty * 8 + 4) * w + tx * 8 + 4) * 3
                    cellPoints[out] = p[centre]; cellPoints[out + 1] = p[centre + 1]; cellPoints[out + 2] = p[centre + 2]
                    out += 3
                }
            }
        }
    }

    /// Appends the tiny luma (4x4 box means) of the current frame to `store`.
    func appendTinyLuma(to store: inout [UInt8]) {
        let w = width, tw = tinyWidth, th = tinyHeight
        luma.withUnsafeBufferPointer { l in
            for ty in 0..<th {
                for tx in 0..<tw {
                    var sum = 0
                    for dy in 0..<4 {
                        let row = (ty * 4 + dy) * w + tx * 4
                        sum += Int(l[row]) + Int(l[row + 1]) + Int(l[row + 2]) + Int(l[row + 3])
                    }
                    store.append(UInt8(truncatingIfNeeded: (sum + 8) >> 4))
                }
            }
        }
    }

    /// Appends the tiny RGB picture (8x8 cell means) of the current frame to `store`.
    func appendTinyColor(to store: inout [UInt8]) { store.append(contentsOf: cellColors) }

    /// Appends the centre pixel of each 8x8 cell of the current frame to `store`.
    func appendColorSamples(to store: inout [UInt8]) { store.append(contentsOf: cellPoints) }

    /// Brightness, contrast and sharpness of the current luma (``FrameQuality/init(luma:width:height:)``).
    func quality() -> FrameQuality {
        luma.withUnsafeBufferPointer { FrameQuality(luma: $0, width: width, height: height) }
    }
}

@available(*, unavailable, message: "An AnalysisShrinker owns a scaler that must stay in one task.")
extension AnalysisShrinker: Sendable {}
