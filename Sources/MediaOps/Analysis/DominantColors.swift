import Foundation

/// Up to five dominant colours of a set of RGB samples: weighted k-means on a
/// 4096-bin colour histogram (so the cost does not grow with the samples),
/// seeded deterministically by farthest-point picking, then near-identical
/// clusters merged and crumbs dropped.
enum DominantColors {
    static func find(samples: UnsafeBufferPointer<UInt8>, maximum: Int = 5) -> [DominantColor] {
        let pixelCount = samples.count / 3
        guard pixelCount > 0 else { return [] }
        var counts = [Int](repeating: 0, count: 4096)
        var sums = [Int](repeating: 0, count: 4096 * 3)
        for p in 0..<pixelCount {
            let r = Int(samples[3 * p]), g = Int(samples[3 * p + 1]), b = Int(samples[3 * p + 2])
            let bin = (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)
            counts[bin] += 1
            sums[3 * bin] += r; sums[3 * bin + 1] += g; sums[3 * bin + 2] += b
        }
        var points: [(r: Double, g: Double, b: Double, w: Double)] = []
        for bin in 0..<4096 where counts[bin] > 0 {
            let c = Double(counts[bin])
            points.append((Double(sums[3 * bin]) / c, Double(sums[3 * bin + 1]) / c, Double(sums[3 * bin + 2]) / c, c))
        }
        func distanceSquared(_ a: (r: Double, g: Double, b: Double), _ b: (r: Double, g: Double, b: Double)) -> Double {
            // Rough perceptual weighting of the channels (green matters most).
            let dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b
            return 2 * dr * dr + 4 * dg * dg + 3 * db * db
        }
        // Seeds: the heaviest bin, then repeatedly the point farthest (weighted) from all seeds.
        var centres: [(r: Double, g: Double, b: Double)] = []
        guard let heaviest = points.max(by: { $0.w < $1.w }) else { return [] }
        centres.append((heaviest.r, heaviest.g, heaviest.b))
        let k = min(maximum + 2, points.count)
        while centres.count < k {
            var bestScore = -1.0, bestIndex = 0
            for (i, p) in points.enumerated() {
                let nearest = centres.map { distanceSquared($0, (p.r, p.g, p.b)) }.min() ?? 0
                let score = nearest * p.w.squareRoot()
                if score > bestScore { bestScore = score; bestIndex = i }
            }
            if bestScore <= 0 { break }
            centres.append((points[bestIndex].r, points[bestIndex].g, points[bestIndex].b))
        }
        var weights = [Double](repeating: 0, count: centres.count)
        for _ in 0..<10 {
            var accumulated = [(r: Double, g: Double, b: Double, w: Double)](repeating: (0, 0, 0, 0), count: centres.count)
            for p in points {
                var best = 0, bestDistance = Double.infinity
                for (c, centre) in centres.enumerated() {
                    let d = distanceSquared(centre, (p.r, p.g, p.b))
                    if d < bestDistance { bestDistance = d; best = c }
                }
                accumulated[best].r += p.r * p.w; accumulated[best].g += p.g * p.w
                accumulated[best].b += p.b * p.w; accumulated[best].w += p.w
            }
            for c in centres.indices where accumulated[c].w > 0 {
                centres[c] = (accumulated[c].r / accumulated[c].w, accumulated[c].g / accumulated[c].w, accumulated[c].b / accumulated[c].w)
            }
            weights = accumulated.map { $0.w / Double(pixelCount) }
        }
        // Merge clusters that look the same.
        var clusters = zip(centres, weights).map { (colour: $0.0, weight: $0.1) }.filter { $0.weight > 0 }
        clusters.sort { $0.weight > $1.weight }
        var merged: [(colour: (r: Double, g: Double, b: Double), weight: Double)] = []
        for cluster in clusters {
            if let i = merged.firstIndex(where: { distanceSquared($0.colour, cluster.colour) < 9 * 20 * 20 }) {
                let w = merged[i].weight + cluster.weight
                let a = merged[i]
                merged[i] = ((
                    (a.colour.r * a.weight + cluster.colour.r * cluster.weight) / w,
                    (a.colour.g * a.weight + cluster.colour.g * cluster.weight) / w,
                    (a.colour.b * a.weight + cluster.colour.b * cluster.weight) / w), w)
            } else {
                merged.append(cluster)
            }
        }
        merged.sort { $0.weight > $1.weight }
        return merged.filter { $0.weight >= 0.03 }.prefix(maximum).map { cluster in
            DominantColor(hex: hex(cluster.colour), weight: (cluster.weight * 1000).rounded() / 1000)
        }
    }

    static func hex(_ colour: (r: Double, g: Double, b: Double)) -> String {
        func two(_ value: Double) -> String {
            let byte = Int(max(0, min(255, value.rounded())))
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
        return "#" + two(colour.r) + two(colour.g) + two(colour.b)
    }
}
