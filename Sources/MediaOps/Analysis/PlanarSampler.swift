import LibAV

/// Shrinks 8-bit planar YUV frames (what nearly every camera and generator
/// delivers) straight from their planes, without swscale: each analysis pixel
/// is the mean of 4x4 luma samples spread over its box, and chroma is read only
/// at the resolution colour analysis needs (one mean and one point per colour
/// cell). Converting the whole frame to RGB first, as swscale would, costs
/// several times more than this and competes with the decoder threads for the cores.
///
/// Every table is built once per source geometry; the per-frame work allocates nothing.
final class PlanarSampler {
    /// The formats this sampler reads: 8-bit, three planes, any chroma subsampling.
    /// `yuvj*` are full range whatever the frame's range flag says.
    private static let videoRangeFormats: Set<PixelFormat> = Set(["yuv420p", "yuv422p", "yuv444p", "yuv440p", "yuv411p", "yuv410p"].compactMap(PixelFormat.init(name:)))
    private static let fullRangeFormats: Set<PixelFormat> = Set(["yuvj420p", "yuvj422p", "yuvj444p", "yuvj440p", "yuvj411p"].compactMap(PixelFormat.init(name:)))

    /// Whether frames in `format` can be sampled directly.
    static func accepts(_ format: PixelFormat) -> Bool {
        videoRangeFormats.contains(format) || fullRangeFormats.contains(format)
    }

    /// Analysis picture size and colour cell size (in analysis pixels).
    let width: Int, height: Int, cell: Int
    private var sourceWidth = 0, sourceHeight = 0
    private var format = PixelFormat.none
    /// Source column and row of each of the 4 samples per analysis pixel (`width * 4`, `height * 4`).
    private var sampleColumns: [Int] = [], sampleRows: [Int] = []
    /// Per colour cell: 4 chroma columns and rows for the cell mean, and the chroma position of its centre pixel.
    private var cellChromaColumns: [Int] = [], cellChromaRows: [Int] = []
    private var centreChromaColumns: [Int] = [], centreChromaRows: [Int] = []
    /// Mean of 16 samples (0-255, as coded) to full-range luma.
    private var lumaTable = [UInt8](repeating: 0, count: 256)
    private var matrix: YUVMatrix?

    init(width: Int, height: Int, cell: Int) {
        self.width = width; self.height = height; self.cell = cell
    }

    /// Samples `frame` into `luma` (`width * height`, full range), `cellColors`
    /// (RGB mean of each colour cell) and `cellPoints` (RGB of each cell's centre
    /// pixel). Returns false, leaving the buffers alone, when the frame's planes
    /// cannot be read directly (negative strides); the caller then uses swscale.
    func sample(_ frame: Frame, luma: inout [UInt8], cellColors: inout [UInt8], cellPoints: inout [UInt8]) -> Bool {
        prepare(for: frame)
        guard let matrix else { return false }
        let w = width, h = height, sw = sourceWidth, sh = sourceHeight
        let shift = format.chromaShift
        let chromaRows = (sh + (1 << shift.y) - 1) >> shift.y
        return frame.withUnsafePlane(0, rows: sh) { yPlane, yStride -> Bool in
            frame.withUnsafePlane(1, rows: chromaRows) { uPlane, uStride -> Bool in
                frame.withUnsafePlane(2, rows: chromaRows) { vPlane, vStride -> Bool in
                    guard let y0 = yPlane.baseAddress, let u0 = uPlane.baseAddress, let v0 = vPlane.baseAddress,
                          yStride >= sw, uStride > 0, vStride > 0 else { return false }
                    let yBase = y0.assumingMemoryBound(to: UInt8.self)
                    sampleLuma(yBase, stride: yStride, into: &luma, width: w, height: h)
                    sampleColour(luma: luma, matrix: matrix, u: u0.assumingMemoryBound(to: UInt8.self), uStride: uStride,
                                 v: v0.assumingMemoryBound(to: UInt8.self), vStride: vStride,
                                 cellColors: &cellColors, cellPoints: &cellPoints)
                    return true
                }
            }
        }
    }

    /// Each analysis pixel's 16 samples are summed in registers from the four source rows at
    /// once: summing row by row into a row of sums wrote every sum four times, and that traffic
    /// took as long as the loads of the (mostly uncached) source samples themselves.
    private func sampleLuma(_ plane: UnsafePointer<UInt8>, stride: Int, into luma: inout [UInt8], width w: Int, height h: Int) {
        sampleColumns.withUnsafeBufferPointer { columns in
            sampleRows.withUnsafeBufferPointer { rows in
                lumaTable.withUnsafeBufferPointer { table in
                    luma.withUnsafeMutableBufferPointer { out in
                        for y in 0..<h {
                            let row0 = plane + rows[4 * y] * stride, row1 = plane + rows[4 * y + 1] * stride
                            let row2 = plane + rows[4 * y + 2] * stride, row3 = plane + rows[4 * y + 3] * stride
                            let outRow = y * w
                            for x in 0..<w {
                                let c0 = columns[4 * x], c1 = columns[4 * x + 1], c2 = columns[4 * x + 2], c3 = columns[4 * x + 3]
                                var sum = Int(row0[c0]) &+ Int(row0[c1]) &+ Int(row0[c2]) &+ Int(row0[c3])
                                sum &+= Int(row1[c0]) &+ Int(row1[c1]) &+ Int(row1[c2]) &+ Int(row1[c3])
                                sum &+= Int(row2[c0]) &+ Int(row2[c1]) &+ Int(row2[c2]) &+ Int(row2[c3])
                                sum &+= Int(row3[c0]) &+ Int(row3[c1]) &+ Int(row3[c2]) &+ Int(row3[c3])
                                out[outRow + x] = table[(sum &+ 8) >> 4]
                            }
                        }
                    }
                }
            }
        }
    }

    private func sampleColour(luma: [UInt8], matrix: YUVMatrix, u: UnsafePointer<UInt8>, uStride: Int, v: UnsafePointer<UInt8>, vStride: Int,
                              cellColors: inout [UInt8], cellPoints: inout [UInt8]) {
        let w = width, cells = (columns: width / cell, rows: height / cell)
        let area = cell * cell
        var index = 0
        for cy in 0..<cells.rows {
            for cx in 0..<cells.columns {
                // Mean luma of the cell from the analysis picture; mean chroma from 4x4 samples.
                var lumaSum = 0
                for dy in 0..<cell {
                    let row = (cy * cell + dy) * w + cx * cell
                    for dx in 0..<cell { lumaSum += Int(luma[row + dx]) }
                }
                var uSum = 0, vSum = 0
                for r in 0..<4 {
                    let chromaRow = cellChromaRows[4 * cy + r]
                    for c in 0..<4 {
                        let chromaColumn = cellChromaColumns[4 * cx + c]
                        uSum += Int(u[chromaRow * uStride + chromaColumn]); vSum += Int(v[chromaRow * vStride + chromaColumn])
                    }
                }
                let mean = matrix.rgb(luma: Double(lumaSum) / Double(area), u: Double(uSum) / 16, v: Double(vSum) / 16)
                cellColors[3 * index] = mean.r; cellColors[3 * index + 1] = mean.g; cellColors[3 * index + 2] = mean.b
                let centreLuma = luma[(cy * cell + cell / 2) * w + cx * cell + cell / 2]
                let pr = centreChromaRows[cy], pc = centreChromaColumns[cx]
                let point = matrix.rgb(luma: Double(centreLuma), u: Double(u[pr * uStride + pc]), v: Double(v[pr * vStride + pc]))
                cellPoints[3 * index] = point.r; cellPoints[3 * index + 1] = point.g; cellPoints[3 * index + 2] = point.b
                index += 1
            }
        }
    }

    /// Rebuilds the sample tables when the source size, format or colorimetry changes.
    private func prepare(for frame: Frame) {
        let fullRange = frame.isFullRange || Self.fullRangeFormats.contains(frame.pixelFormat)
        let newMatrix = YUVMatrix(matrix: frame.colorMatrix, fullRange: fullRange)
        if newMatrix != matrix {
            matrix = newMatrix
            for value in 0..<256 {
                let expanded = fullRange ? Double(value) : (Double(value) - 16) * 255 / 219
                lumaTable[value] = UInt8(max(0, min(255, expanded.rounded())))
            }
        }
        guard frame.width != sourceWidth || frame.height != sourceHeight || frame.pixelFormat != format else { return }
        sourceWidth = frame.width; sourceHeight = frame.height; format = frame.pixelFormat
        let shift = format.chromaShift
        /// Four positions spread evenly over [start, end) (repeated when the span is shorter).
        func spread(_ start: Int, _ end: Int) -> [Int] {
            let span = max(1, end - start)
            return (0..<4).map { k in start + ((2 * k + 1) * span) / 8 }
        }
        let sw = sourceWidth, sh = sourceHeight, w = width, h = height
        sampleColumns = []; sampleRows = []; cellChromaColumns = []; cellChromaRows = []
        for x in 0..<w { sampleColumns += spread(x * sw / w, (x + 1) * sw / w) }
        for y in 0..<h { sampleRows += spread(y * sh / h, (y + 1) * sh / h) }
        for cx in 0..<(w / cell) {
            for column in spread(cx * cell * sw / w, (cx + 1) * cell * sw / w) { cellChromaColumns.append(column >> shift.x) }
        }
        for cy in 0..<(h / cell) {
            for row in spread(cy * cell * sh / h, (cy + 1) * cell * sh / h) { cellChromaRows.append(row >> shift.y) }
        }
        // The centre pixel's own box, as the luma samples of that pixel see it.
        centreChromaColumns = (0..<(w / cell)).map { cx in ((2 * (cx * cell + cell / 2) + 1) * sw / (2 * w)) >> shift.x }
        centreChromaRows = (0..<(h / cell)).map { cy in ((2 * (cy * cell + cell / 2) + 1) * sh / (2 * h)) >> shift.y }
    }
}

@available(*, unavailable, message: "A PlanarSampler keeps per-video tables in one task.")
extension PlanarSampler: Sendable {}

/// YUV to RGB for one colour matrix, on full-range luma (0-255) and coded chroma.
/// The matrix follows the frame's tag like ``LibAV/Scaler/setSourceColorimetry(matrix:fullRange:)``:
/// BT.709, BT.2020, SMPTE 240M and FCC by name, BT.601 otherwise (unspecified included, as swscale does).
struct YUVMatrix: Equatable {
    let kr: Double, kb: Double
    /// Scale from coded chroma (centred on 128) to full-range chroma.
    let chromaScale: Double

    init(matrix: ColorMatrix, fullRange: Bool) {
        switch matrix {
        case .bt709: (kr, kb) = (0.2126, 0.0722)
        case .bt2020NonConstant, .bt2020Constant: (kr, kb) = (0.2627, 0.0593)
        case .smpte240m: (kr, kb) = (0.212, 0.087)
        case .fcc: (kr, kb) = (0.30, 0.11)
        default: (kr, kb) = (0.299, 0.114)           // BT.601 and unspecified
        }
        chromaScale = fullRange ? 1 : 255.0 / 224
    }

    @inline(__always)
    func rgb(luma: Double, u: Double, v: Double) -> (r: UInt8, g: UInt8, b: UInt8) {
        let pb = (u - 128) * chromaScale, pr = (v - 128) * chromaScale
        let kg = 1 - kr - kb
        let r = luma + 2 * (1 - kr) * pr
        let g = luma - (2 * kb * (1 - kb) / kg) * pb - (2 * kr * (1 - kr) / kg) * pr
        let b = luma + 2 * (1 - kb) * pb
        @inline(__always) func byte(_ value: Double) -> UInt8 { UInt8(max(0, min(255, value.rounded()))) }
        return (byte(r), byte(g), byte(b))
    }
}
