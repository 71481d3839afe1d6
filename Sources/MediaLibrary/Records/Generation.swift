import Foundation
import GRDB

/// A completed provider generation (`generations`), from its manifest.
public struct Generation: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "generations"

    public var id: Int64?
    public var providerID: String
    public var providerJobID: String?
    /// "text_to_video", "image_to_video", "video_extend", "video_transition", "fusion", "text_to_image" or "upload".
    public var operationType: String
    public var prompt: String?
    /// The manifest's params plus any keys this program does not know, as JSON text.
    public var params: String?
    public var resultAssetID: Int64?
    public var submittedAt: Date?
    public var completedAt: Date?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, prompt, params
        case providerID = "provider_id", providerJobID = "provider_job_id", operationType = "operation_type"
        case resultAssetID = "result_asset_id", submittedAt = "submitted_at", completedAt = "completed_at"
        case createdAt = "created_at"
    }

    public enum Columns {
        public static let providerID = Column(CodingKeys.providerID)
        public static let providerJobID = Column(CodingKeys.providerJobID)
        public static let resultAssetID = Column(CodingKeys.resultAssetID)
    }

    public init(id: Int64? = nil, providerID: String, providerJobID: String?, operationType: String, prompt: String?,
                params: String?, resultAssetID: Int64?, submittedAt: Date?, completedAt: Date?, createdAt: Date = Date()) {
        self.id = id
        self.providerID = providerID
        self.providerJobID = providerJobID
        self.operationType = operationType
        self.prompt = prompt
        self.params = params
        self.resultAssetID = resultAssetID
        self.submittedAt = submittedAt
        self.completedAt = completedAt
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
