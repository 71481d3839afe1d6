/// Multi-index hashing for 64-bit perceptual hashes: `match` finds the assets
/// whose opening hash is within D bits of a closing hash without reading them all.
///
/// A hash is split into ``count`` bands of 16 bits, each stored in its own
/// indexed column. If two hashes differ in at most D bits, the differing bits
/// fall into ``count`` bands, so (pigeonhole) at least one band differs in at
/// most `D / count` bits. The candidates are therefore the rows whose band `i`
/// equals one of the values within `D / count` bits of the query's band `i`,
/// for some `i`: a few hundred index look-ups. Candidates are then verified with
/// the exact Hamming distance, so the index only ever narrows, never decides.
public enum HashBands {
    /// Bands per hash.
    public static let count = 4
    /// Bits per band.
    public static let bandBits = 16
    /// The largest per-band radius that is enumerated (C(16,0)+C(16,1)+C(16,2) = 137
    /// values per band); larger distances read every opening hash instead.
    public static let largestRadius = 2

    /// The band values to look up, one list per band.
    public struct Probes: Sendable, Equatable {
        public var values: [[Int]]
    }

    /// The four 16-bit bands of a hash, lowest bits first.
    public static func bands(of hash: UInt64) -> [Int] {
        (0..<count).map { Int((hash >> UInt64($0 * bandBits)) & 0xFFFF) }
    }

    /// What to look up for hashes within `maxDistance` of `hash`, or nil when
    /// the distance is too large for the index to help (then every row is a candidate).
    public static func probes(for hash: UInt64, maxDistance: Int) -> Probes? {
        let radius = max(0, maxDistance) / count
        guard radius <= largestRadius else { return nil }
        return Probes(values: bands(of: hash).map { neighbours(of: $0, radius: radius) })
    }

    /// Every 16-bit value within `radius` bits of `value` (radius at most 2).
    static func neighbours(of value: Int, radius: Int) -> [Int] {
        var result = [value]
        if radius >= 1 {
            for i in 0..<bandBits { result.append(value ^ (1 << i)) }
        }
        if radius >= 2 {
            for i in 0..<bandBits { for j in (i + 1)..<bandBits { result.append(value ^ (1 << i) ^ (1 << j)) } }
        }
        return result
    }

    /// A stored 64-bit hash as the signed integer both databases keep (same bits).
    public static func stored(_ hash: UInt64) -> Int64 { Int64(bitPattern: hash) }

    /// The opening hash of an analysis: its first segment's start hash, if it has one.
    static func openingHash(of segments: [AssetTemporalSegment]) -> UInt64? {
        segments.min { $0.segmentIndex < $1.segmentIndex }?.startHash.flatMap { UInt64($0, radix: 16) }
    }
}
