import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// A branch as printed.
public struct BranchDocument: Encodable {
    public var branchId: Int64
    public var sourceAssetId: Int64
    public var branchTime: Double
    public var branchFrame: Int?
    public var branchName: String
    public var branchTag: String?
    public var variants: [Variant]

    public struct Variant: Encodable {
        public var variantId: Int64
        public var branchId: Int64
        public var variantAssetId: Int64
        public var variantName: String
        public var variantTag: String?
        public var weight: Double?
        public var conditions: JSONValue?
        public var renderedAssetId: Int64?

        public init(_ variant: BranchVariant) {
            variantId = variant.storedID
            branchId = variant.branchID
            variantAssetId = variant.variantAssetID
            variantName = variant.variantName
            variantTag = variant.variantTag
            weight = variant.weight
            conditions = variant.conditions.map(JSONValue.init(storedText:))
            renderedAssetId = variant.renderedAssetID
        }
    }

    public init(_ branch: AssetBranch, variants: [BranchVariant]) {
        branchId = branch.storedID
        sourceAssetId = branch.sourceAssetID
        branchTime = branch.branchTime
        branchFrame = branch.branchFrame
        branchName = branch.branchName
        branchTag = branch.branchTag
        self.variants = variants.map(Variant.init)
    }
}

/// A render's result: the new asset and what the operation reported.
public struct RenderDocument: Encodable {
    public var output: String
    public var assetId: Int64
    public var sha256: String
    public var render: RenderFacts

    public init(_ rendered: LibraryEditor.Rendered) {
        output = rendered.outputPath
        assetId = rendered.asset.assetID
        sha256 = rendered.asset.sha256
        render = rendered.facts
    }
}
