import Foundation
import GRDB

/// An asset whose opening frame looks like another asset's closing frame.
public struct ContinuationCandidate: Sendable, Equatable {
    public var assetID: Int64
    /// Hamming distance between the two 64-bit perceptual hashes (0 = identical).
    public var distance: Int

    public init(assetID: Int64, distance: Int) {
        self.assetID = assetID
        self.distance = distance
    }
}

extension MediaStore {
    /// Assets that could continue `assetID`: those whose first segment's start
    /// hash is within `maxDistance` bits of this asset's last segment's end
    /// hash, best (smallest distance) first, ties by id.
    /// - Throws: ``LibraryError`` `not_found` when the asset has no analysed segments.
    public func continuations(of assetID: Int64, maxDistance: Int) throws(LibraryError) -> [ContinuationCandidate] {
        let (endHash, starts) = try read { db -> (String?, [(Int64, String)]) in
            let end = try String.fetchOne(db, sql: """
                SELECT end_hash FROM asset_temporal_segments WHERE asset_id = ? ORDER BY segment_index DESC LIMIT 1
                """, arguments: [assetID])
            let starts = try Row.fetchAll(db, sql: """
                SELECT s.asset_id, s.start_hash FROM asset_temporal_segments s
                WHERE s.segment_index = (SELECT MIN(segment_index) FROM asset_temporal_segments WHERE asset_id = s.asset_id)
                  AND s.asset_id <> ? AND s.start_hash IS NOT NULL
                """, arguments: [assetID]).map { row -> (Int64, String) in (row["asset_id"], row["start_hash"]) }
            return (end, starts)
        }
        guard let endHash, let target = UInt64(endHash, radix: 16) else {
            throw LibraryError(subject: "asset \(assetID)", code: .notFound,
                               message: "has no segment hashes yet (run the segments stage on it)")
        }
        var candidates: [ContinuationCandidate] = []
        for (candidateID, text) in starts {
            guard let hash = UInt64(text, radix: 16) else { continue }
            let distance = (hash ^ target).nonzeroBitCount
            if distance <= maxDistance { candidates.append(ContinuationCandidate(assetID: candidateID, distance: distance)) }
        }
        return candidates.sorted { ($0.distance, $0.assetID) < ($1.distance, $1.assetID) }
    }
}
