import Foundation

/// The derivation graph around one asset: its ancestors or descendants, each
/// with its distance (depth) from the asset, and the edges between them.
public struct LineageGraph: Sendable, Equatable {
    public enum Direction: String, Sendable, Codable {
        case ancestors, descendants
    }

    public struct Node: Sendable, Equatable {
        public var asset: Asset
        /// 0 for the asset itself, 1 for its parents (or children), and so on (shortest path).
        public var depth: Int
    }

    public var assetID: Int64
    public var direction: Direction
    /// Ordered by depth, then id.
    public var nodes: [Node]
    /// Ordered by child, then sequence order.
    public var edges: [LineageEdge]
}
