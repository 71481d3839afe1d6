/// The 64-bit DCT perceptual hash (pHash) of a picture: the picture reduced
/// to 32x32, the lowest 8x8 frequencies of its 2-D DCT, one bit per
/// coefficient above their median. Re-encoding, rescaling and small colour
/// shifts flip few bits; different pictures differ in about half of them.
public enum PerceptualHash {
    private static let size = 32
    /// cos((2x + 1) u pi / 64) for u in 0..<8, x in 0..<32.
    private static let cosines: [Double] = {
        var table = [Double](repeating: 0, count: 8 * 32)
        for u in 0..<8 {
            for x in 0..<32 {
                let angle: Double = Double(2 * x + 1) * Double(u) * Double.pi / 64
                table[u * 32 + x] = cos(angle)
            }
        }
        return table
    }()

    /// Hashes a luma picture of any size (sampled to 32x32 by box averaging).
    public static func hash(luma: [UInt8], width: Int, height: Int) -> UInt64 {
        guard width > 0, height > 0, luma.count >= width * height else { return 0 }
        var small = [Double](repeating: 0, count: size * size)
        for y in 0..<size {
            let y0 = y * height / size, y1 = max(y0 + 1, (y + 1) * height / size)
            for x in 0..<size {
                let x0 = x * width / size, x1 = max(x0 + 1, (x + 1) * width / size)
                var sum = 0
                for yy in y0..<y1 { for xx in x0..<x1 { sum += Int(luma[yy * width + xx]) } }
                small[y * size + x] = Double(sum) / Double((y1 - y0) * (x1 - x0))
            }
        }
        // Rows first (only the 8 lowest frequencies are needed), then columns.
        var rows = [Double](repeating: 0, count: size * 8)
        for y in 0..<size {
            for u in 0..<8 {
                var sum = 0.0
                for x in 0..<size { sum += small[y * size + x] * cosines[u * size + x] }
                rows[y * 8 + u] = sum
            }
        }
        var coefficients = [Double](repeating: 0, count: 64)
        for v in 0..<8 {
            for u in 0..<8 {
                var sum = 0.0
                for y in 0..<size { sum += rows[y * 8 + u] * cosines[v * size + y] }
                coefficients[v * 8 + u] = sum
            }
        }
        let median = coefficients.sorted()[32]
        var bits: UInt64 = 0
        for (index, value) in coefficients.enumerated() where value > median { bits |= 1 << UInt64(63 - index) }
        return bits
    }

    /// Number of differing bits.
    public static func distance(_ a: UInt64, _ b: UInt64) -> Int { (a ^ b).nonzeroBitCount }

    /// 16 lowercase hex digits.
    public static func hex(_ hash: UInt64) -> String {
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

import Foundation
