import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// SPEC section 4's `match` document.
public struct MatchDocument: Encodable {
    public var assetId: Int64
    public var candidates: [Candidate]

    public struct Candidate: Encodable {
        public var assetId: Int64
        public var distance: Int

        public init(assetId: Int64, distance: Int) {
            self.assetId = assetId
            self.distance = distance
        }
    }

    public init(assetId: Int64, candidates: [Candidate]) {
        self.assetId = assetId
        self.candidates = candidates
    }
}
