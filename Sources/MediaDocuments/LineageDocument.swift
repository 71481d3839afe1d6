import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// SPEC section 4's `lineage` document.
public struct LineageDocument: Encodable {
    public var assetId: Int64
    public var direction: String
    public var nodes: [Node]
    public var edges: [EdgeDocument]

    public struct Node: Encodable {
        public var assetId: Int64
        public var sha256: String
        public var mediaType: String
        public var depth: Int
        public var durationSec: Double?
        public var originalPath: String?
    }

    public init(_ graph: LineageGraph) {
        assetId = graph.assetID
        direction = graph.direction.rawValue
        nodes = graph.nodes.map {
            Node(assetId: $0.asset.assetID, sha256: $0.asset.sha256, mediaType: $0.asset.mediaType, depth: $0.depth,
                 durationSec: $0.asset.durationSec, originalPath: $0.asset.originalPath)
        }
        edges = graph.edges.map(EdgeDocument.init)
    }
}
