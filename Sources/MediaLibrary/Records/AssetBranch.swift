import Foundation
import GRDB

/// A branch point in an asset (`asset_branches`): where the story may go
/// several ways, each a ``BranchVariant``.
public struct AssetBranch: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_branches"

    public var id: Int64?
    public var sourceAssetID: Int64
    /// Seconds into the source where the variants take over.
    public var branchTime: Double
    public var branchFrame: Int?
    public var branchName: String
    public var branchTag: String?
    public var branchType: String
    /// Free-form data for game tooling, as JSON text.
    public var gameMetadata: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case sourceAssetID = "source_asset_id", branchTime = "branch_time", branchFrame = "branch_frame"
        case branchName = "branch_name", branchTag = "branch_tag", branchType = "branch_type"
        case gameMetadata = "game_metadata", createdAt = "created_at"
    }

    public enum Columns {
        public static let sourceAssetID = Column(CodingKeys.sourceAssetID)
        public static let branchTime = Column(CodingKeys.branchTime)
    }

    public init(id: Int64? = nil, sourceAssetID: Int64, branchTime: Double, branchFrame: Int? = nil, branchName: String,
                branchTag: String? = nil, branchType: String = "choice", gameMetadata: String? = nil, createdAt: Date = Date()) {
        self.id = id
        self.sourceAssetID = sourceAssetID
        self.branchTime = branchTime
        self.branchFrame = branchFrame
        self.branchName = branchName
        self.branchTag = branchTag
        self.branchType = branchType
        self.gameMetadata = gameMetadata
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One continuation of a branch (`asset_branch_variants`).
public struct BranchVariant: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_branch_variants"

    public var id: Int64?
    public var branchID: Int64
    public var variantAssetID: Int64
    public var variantName: String
    public var variantTag: String?
    public var weight: Double?
    /// When the game takes this variant, as JSON text.
    public var conditions: String?
    /// The asset `branch render` made for this variant, once rendered.
    public var renderedAssetID: Int64?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, weight, conditions
        case branchID = "branch_id", variantAssetID = "variant_asset_id", variantName = "variant_name"
        case variantTag = "variant_tag", renderedAssetID = "rendered_asset_id", createdAt = "created_at"
    }

    public enum Columns {
        public static let branchID = Column(CodingKeys.branchID)
        public static let variantTag = Column(CodingKeys.variantTag)
    }

    public init(id: Int64? = nil, branchID: Int64, variantAssetID: Int64, variantName: String, variantTag: String? = nil,
                weight: Double? = nil, conditions: String? = nil, renderedAssetID: Int64? = nil, createdAt: Date = Date()) {
        self.id = id
        self.branchID = branchID
        self.variantAssetID = variantAssetID
        self.variantName = variantName
        self.variantTag = variantTag
        self.weight = weight
        self.conditions = conditions
        self.renderedAssetID = renderedAssetID
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
