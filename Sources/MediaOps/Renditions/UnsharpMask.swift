import LibAV

/// Sharpening of an upscaled picture: an unsharp mask on the luma plane, the picture plus
/// `amount` times its difference from a blurred copy of itself. Resampling, however good,
/// softens edges by the factor of the upscale; this brings back some of their contrast. It
/// invents no detail (it is not super-resolution), and too much of it rings around edges.
///
/// The blur is a 5x5 binomial kernel (1 4 6 4 1 across and down, edges repeated) and the
/// arithmetic is fixed point, as FFmpeg's `unsharp=5:5:amount:5:5:0` filter does, so that
/// filter is an oracle for the result (the tests compare the two). Chroma is left as it is:
/// sharpening it adds colour fringes rather than detail.
final class UnsharpMask {
    /// How much of the difference is added: 0 nothing, 1 all of it (`--sharpen`, 0 to 2).
    let amount: Double
    /// The amount in 16.16 fixed point, truncated as the filter does.
    private let fixedAmount: Int
    /// The horizontal pass's sums for the whole plane, reused from frame to frame.
    private var rowSums: [Int32] = []

    init(amount: Double) {
        self.amount = amount
        fixedAmount = Int(amount * 65536)
    }

    /// Sharpens the luma plane (plane 0) of `frame` in place; the frame must be writable.
    /// - Throws: ``MediaError`` for a picture format without a separate luma plane of 8 to 16 bits.
    func apply(to frame: Frame) throws(MediaError) {
        let format = frame.pixelFormat
        // Plane 0 is the luma alone in planar and semi-planar YUV and in grey; not in packed RGB.
        let lumaFirst = ["yuv", "nv", "gray"].contains { format.name?.hasPrefix($0) == true }
        guard let depth = format.bitDepth, lumaFirst, depth <= 16 else {
            throw MediaError(path: "", code: .invalidArgument, message: "--sharpen needs planar YUV pictures, not \(format)")
        }
        let width = frame.width, height = frame.height
        guard width > 0, height > 0 else { return }
        if rowSums.count != width * height { rowSums = [Int32](repeating: 0, count: width * height) }
        if depth <= 8 {
            frame.withUnsafeMutablePlane(0, rows: height) { buffer, lineSize in
                sharpen(buffer.bindMemory(to: UInt8.self), stride: lineSize, width: width, height: height, maximum: 255)
            }
        } else {
            frame.withUnsafeMutablePlane(0, rows: height) { buffer, lineSize in
                sharpen(buffer.bindMemory(to: UInt16.self), stride: lineSize / 2, width: width, height: height,
                        maximum: (1 << depth) - 1)
            }
        }
    }

    private func sharpen<Sample: FixedWidthInteger & UnsignedInteger>(
        _ plane: UnsafeMutableBufferPointer<Sample>, stride: Int, width: Int, height: Int, maximum: Int
    ) {
        guard let pixels = plane.baseAddress else { return }
        rowSums.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            // Across: 1 4 6 4 1, the edge samples repeated.
            for y in 0..<height {
                let row = pixels + y * stride
                let out = sums + y * width
                for x in 0..<width {
                    let a = Int32(row[max(x - 2, 0)]), b = Int32(row[max(x - 1, 0)]), c = Int32(row[x])
                    let d = Int32(row[min(x + 1, width - 1)]), e = Int32(row[min(x + 2, width - 1)])
                    out[x] = a + 4 * b + 6 * c + 4 * d + e
                }
            }
            // Down, then the mask: every sample read below is still the original, since the
            // sums were all made before the first write.
            for y in 0..<height {
                let r0 = sums + max(y - 2, 0) * width, r1 = sums + max(y - 1, 0) * width, r2 = sums + y * width
                let r3 = sums + min(y + 1, height - 1) * width, r4 = sums + min(y + 2, height - 1) * width
                let row = pixels + y * stride
                for x in 0..<width {
                    let blurred = (Int(r0[x]) + 4 * Int(r1[x]) + 6 * Int(r2[x]) + 4 * Int(r3[x]) + Int(r4[x]) + 128) >> 8
                    let original = Int(row[x])
                    let value = original + (((original - blurred) * fixedAmount) >> 16)
                    row[x] = Sample(min(max(value, 0), maximum))
                }
            }
        }
    }
}

@available(*, unavailable, message: "An UnsharpMask keeps a working buffer for one task.")
extension UnsharpMask: Sendable {}
