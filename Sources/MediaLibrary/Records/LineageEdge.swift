import Foundation
import GRDB

/// "This asset was made from that one" (`asset_lineage`): one edge from a
/// parent asset to a child, with the parent's role and the part of it used.
public struct LineageEdge: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_lineage"

    public var id: Int64?
    public var childAssetID: Int64
    public var parentAssetID: Int64
    /// e.g. "source_video", "source_image", "clip_source", "branch_source", "branch_variant", "compose_input".
    public var parentRole: String
    /// e.g. "video_extend", "clip", "branch_render", "compose".
    public var operationType: String
    public var operationJobID: String?
    public var parentStartTime: Double?
    public var parentEndTime: Double?
    public var parentFrame: Int?
    /// What was done to the parent (mode, trims), as JSON text.
    public var transformation: String?
    /// Position of this parent among the child's parents of one operation.
    public var sequenceOrder: Int
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, transformation
        case childAssetID = "child_asset_id", parentAssetID = "parent_asset_id", parentRole = "parent_role"
        case operationType = "operation_type", operationJobID = "operation_job_id"
        case parentStartTime = "parent_start_time", parentEndTime = "parent_end_time", parentFrame = "parent_frame"
        case sequenceOrder = "sequence_order", createdAt = "created_at"
    }

    public enum Columns {
        public static let childAssetID = Column(CodingKeys.childAssetID)
        public static let parentAssetID = Column(CodingKeys.parentAssetID)
        public static let sequenceOrder = Column(CodingKeys.sequenceOrder)
    }

    public init(id: Int64? = nil, childAssetID: Int64, parentAssetID: Int64, parentRole: String, operationType: String,
                operationJobID: String? = nil, parentStartTime: Double? = nil, parentEndTime: Double? = nil,
                parentFrame: Int? = nil, transformation: String? = nil, sequenceOrder: Int = 0, createdAt: Date = Date()) {
        self.id = id
        self.childAssetID = childAssetID
        self.parentAssetID = parentAssetID
        self.parentRole = parentRole
        self.operationType = operationType
        self.operationJobID = operationJobID
        self.parentStartTime = parentStartTime
        self.parentEndTime = parentEndTime
        self.parentFrame = parentFrame
        self.transformation = transformation
        self.sequenceOrder = sequenceOrder
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
