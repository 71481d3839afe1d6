import Foundation
import GRDB

/// A clip bookmark: a time range of an asset (`asset_clips`); once rendered,
/// ``extractedAssetID`` names the asset holding just that range.
public struct AssetClip: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_clips"

    public var id: Int64?
    public var sourceAssetID: Int64
    public var startTime: Double
    public var endTime: Double
    public var clipName: String?
    public var clipTag: String?
    public var extractedAssetID: Int64?
    /// How the clip was rendered (mode, actual range), as JSON text.
    public var playbackMetadata: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case sourceAssetID = "source_asset_id", startTime = "start_time", endTime = "end_time"
        case clipName = "clip_name", clipTag = "clip_tag", extractedAssetID = "extracted_asset_id"
        case playbackMetadata = "playback_metadata", createdAt = "created_at"
    }

    public enum Columns {
        public static let sourceAssetID = Column(CodingKeys.sourceAssetID)
        public static let startTime = Column(CodingKeys.startTime)
    }

    public init(id: Int64? = nil, sourceAssetID: Int64, startTime: Double, endTime: Double, clipName: String? = nil,
                clipTag: String? = nil, extractedAssetID: Int64? = nil, playbackMetadata: String? = nil,
                createdAt: Date = Date()) {
        self.id = id
        self.sourceAssetID = sourceAssetID
        self.startTime = startTime
        self.endTime = endTime
        self.clipName = clipName
        self.clipTag = clipTag
        self.extractedAssetID = extractedAssetID
        self.playbackMetadata = playbackMetadata
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
