import Foundation
import MediaLibrary
import MediaPipeline

/// `branch export`: the branch graph as a game loads it once at start (SPEC
/// section 9). Self-contained: every asset a player can reach, with its
/// duration and where its file is (a path relative to the file store, and the
/// URL it can be fetched from), and its branch points with their variants.
/// Playing it: start at `root_asset_id`, play its asset to a branch's `time`,
/// take a variant (by tag, weight or conditions), continue with that variant's
/// asset, found by `asset_id` in `assets`.
public struct BranchGraphDocument: Encodable {
    public var format = "pixsim-media branch graph"
    public var version = 1
    public var rootAssetId: Int64
    public var assets: [AssetNode]

    public struct AssetNode: Encodable {
        public var assetId: Int64
        public var sha256: String
        public var durationSec: Double?
        public var fps: Double?
        public var width: Int?
        public var height: Int?
        /// The stored file, relative to the file store (nil when the library holds no file for it).
        public var file: String?
        public var url: String?
        public var branches: [Branch]
    }

    public struct Branch: Encodable {
        public var branchId: Int64
        public var time: Double
        public var frame: Int?
        public var name: String
        public var tag: String?
        public var type: String
        public var metadata: JSONValue?
        public var variants: [Variant]
    }

    public struct Variant: Encodable {
        public var variantId: Int64
        public var tag: String?
        public var name: String
        public var weight: Double?
        public var conditions: JSONValue?
        /// The continuation: an entry of `assets`.
        public var assetId: Int64
        /// The branch path already rendered as one file (source up to the branch, then this variant), if any.
        public var renderedAssetId: Int64?
    }

    public init(_ graph: BranchGraph, files: LibraryFiles) {
        rootAssetId = graph.rootAssetID
        assets = graph.nodes.map { node in
            let asset = node.asset
            return AssetNode(
                assetId: asset.assetID, sha256: asset.sha256, durationSec: asset.durationSec, fps: asset.fps,
                width: asset.width, height: asset.height, file: asset.localPath.map(files.storedForm), url: asset.remoteURL,
                branches: node.branches.map { branch, variants in
                    Branch(branchId: branch.storedID, time: branch.branchTime, frame: branch.branchFrame, name: branch.branchName,
                           tag: branch.branchTag, type: branch.branchType, metadata: branch.gameMetadata.map(JSONValue.init(storedText:)),
                           variants: variants.map { variant in
                               Variant(variantId: variant.storedID, tag: variant.variantTag, name: variant.variantName,
                                       weight: variant.weight, conditions: variant.conditions.map(JSONValue.init(storedText:)),
                                       assetId: variant.variantAssetID, renderedAssetId: variant.renderedAssetID)
                           })
                })
        }
    }
}
