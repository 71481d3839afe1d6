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

extension LibraryStore {
    /// Assets that could continue `assetID`: those whose first segment's start
    /// hash is within `maxDistance` bits of this asset's last segment's end
    /// hash, best (smallest distance) first, ties by id. Candidates come from
    /// the band index (``HashBands``) and are verified exactly here.
    /// - Throws: ``LibraryError`` `not_found` when the asset has no analysed segments.
    public func continuations(of assetID: Int64, maxDistance: Int) throws(LibraryError) -> [ContinuationCandidate] {
        guard let target = try closingHash(of: assetID) else {
            throw LibraryError(subject: "asset \(assetID)", code: .notFound,
                               message: "has no segment hashes yet (run the segments stage on it)")
        }
        let probes = HashBands.probes(for: target, maxDistance: maxDistance)
        var seen = Set<Int64>()
        var candidates: [ContinuationCandidate] = []
        for (candidateID, hash) in try openingHashes(matching: probes, excluding: assetID) where seen.insert(candidateID).inserted {
            let distance = (hash ^ target).nonzeroBitCount
            if distance <= maxDistance { candidates.append(ContinuationCandidate(assetID: candidateID, distance: distance)) }
        }
        return candidates.sorted { ($0.distance, $0.assetID) < ($1.distance, $1.assetID) }
    }
}
