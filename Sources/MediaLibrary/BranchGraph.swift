import Foundation

/// Every branch point a player can reach from one asset: the asset's own, then
/// those of each variant's asset, and so on (a story several levels deep). What
/// `branch export` writes for a game to load once, so that nothing at play time
/// needs the database.
public struct BranchGraph: Sendable {
    public struct Node: Sendable {
        public var asset: Asset
        /// The asset's branch points by time, each with its variants.
        public var branches: [(branch: AssetBranch, variants: [BranchVariant])]
    }

    public var rootAssetID: Int64
    /// The root first, then every asset a variant leads to, in the order they are reached (each once).
    public var nodes: [Node]
}

extension LibraryStore {
    /// The branch graph reachable from `assetID`, breadth first. An asset reached twice (two variants
    /// sharing a continuation, or a hand-made cycle) appears once.
    /// - Throws: ``LibraryError`` `not_found` without the asset.
    public func branchGraph(from assetID: Int64) throws(LibraryError) -> BranchGraph {
        guard try asset(id: assetID) != nil else {
            throw LibraryError(subject: "asset \(assetID)", code: .notFound, message: "no such asset")
        }
        var nodes: [BranchGraph.Node] = []
        var queued: Set<Int64> = [assetID]
        var pending = [assetID]
        while !pending.isEmpty {
            let id = pending.removeFirst()
            guard let asset = try asset(id: id) else { continue }
            let branches = try branches(of: id)
            nodes.append(BranchGraph.Node(asset: asset, branches: branches))
            for variant in branches.flatMap(\.variants) where queued.insert(variant.variantAssetID).inserted {
                pending.append(variant.variantAssetID)
            }
        }
        return BranchGraph(rootAssetID: assetID, nodes: nodes)
    }
}
