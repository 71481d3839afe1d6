import Foundation
import GRDB

/// One distinct file content in the library (the `assets` table): the same
/// bytes, from whatever path or URL, are one asset.
public struct Asset: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "assets"

    public var id: Int64?
    /// Lowercase hex SHA-256 of the file: the asset's identity.
    public var sha256: String
    /// "video", "image", "audio" or "other".
    public var mediaType: String
    public var mimeType: String?
    /// Where the library keeps the file (`files/ab/abcdef….mp4`), absolute.
    public var localPath: String?
    /// The path the file was first ingested from, for people.
    public var originalPath: String?
    /// The URL it was downloaded from, if any.
    public var remoteURL: String?
    public var providerID: String?
    public var providerAssetID: String?
    public var width: Int?
    public var height: Int?
    public var durationSec: Double?
    public var fps: Double?
    public var frameCount: Int?
    public var fileSizeBytes: Int64
    public var thumbnailPath: String?
    /// ``SyncStatus`` raw value.
    public var syncStatus: String
    public var sourceGenerationID: Int64?
    /// The full probe, as JSON text.
    public var mediaMetadata: String?
    public var createdAt: Date
    public var lastAccessedAt: Date?

    /// Where the asset's bytes are.
    public enum SyncStatus: String, Sendable, Codable {
        /// Copied into the library's content store.
        case stored
        /// The row exists but the file did not arrive (an interrupted sync).
        case pending
        /// The file was dropped to save space (`evict`); it can be downloaded again from `remote_url`
        /// (`sync`, or any command that needs it). Its metadata, poster and segments stay.
        case evicted
    }

    enum CodingKeys: String, CodingKey {
        case id, sha256
        case mediaType = "media_type", mimeType = "mime_type", localPath = "local_path"
        case originalPath = "original_path", remoteURL = "remote_url"
        case providerID = "provider_id", providerAssetID = "provider_asset_id"
        case width, height, fps
        case durationSec = "duration_sec", frameCount = "frame_count", fileSizeBytes = "file_size_bytes"
        case thumbnailPath = "thumbnail_path", syncStatus = "sync_status"
        case sourceGenerationID = "source_generation_id", mediaMetadata = "media_metadata"
        case createdAt = "created_at", lastAccessedAt = "last_accessed_at"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let sha256 = Column(CodingKeys.sha256)
        public static let mediaType = Column(CodingKeys.mediaType)
        public static let localPath = Column(CodingKeys.localPath)
        public static let thumbnailPath = Column(CodingKeys.thumbnailPath)
        public static let syncStatus = Column(CodingKeys.syncStatus)
        public static let sourceGenerationID = Column(CodingKeys.sourceGenerationID)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let lastAccessedAt = Column(CodingKeys.lastAccessedAt)
    }

    public init(id: Int64? = nil, sha256: String, mediaType: String, mimeType: String? = nil, localPath: String? = nil,
                originalPath: String? = nil, remoteURL: String? = nil, providerID: String? = nil,
                providerAssetID: String? = nil, width: Int? = nil, height: Int? = nil, durationSec: Double? = nil,
                fps: Double? = nil, frameCount: Int? = nil, fileSizeBytes: Int64, thumbnailPath: String? = nil,
                syncStatus: SyncStatus = .stored, sourceGenerationID: Int64? = nil, mediaMetadata: String? = nil,
                createdAt: Date = Date(), lastAccessedAt: Date? = nil) {
        self.id = id
        self.sha256 = sha256
        self.mediaType = mediaType
        self.mimeType = mimeType
        self.localPath = localPath
        self.originalPath = originalPath
        self.remoteURL = remoteURL
        self.providerID = providerID
        self.providerAssetID = providerAssetID
        self.width = width
        self.height = height
        self.durationSec = durationSec
        self.fps = fps
        self.frameCount = frameCount
        self.fileSizeBytes = fileSizeBytes
        self.thumbnailPath = thumbnailPath
        self.syncStatus = syncStatus.rawValue
        self.sourceGenerationID = sourceGenerationID
        self.mediaMetadata = mediaMetadata
        self.createdAt = createdAt
        self.lastAccessedAt = lastAccessedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The id of a fetched asset (fetched rows always have one; see ``StoredRecord``).
    public var assetID: Int64 { storedID }
}

/// What the probe stage learns about an asset, written in one update.
public struct AssetDescription: Sendable, Equatable {
    public var mediaType: String
    public var mimeType: String?
    public var width: Int?
    public var height: Int?
    public var durationSec: Double?
    public var fps: Double?
    public var frameCount: Int?
    /// The full probe, as JSON text.
    public var mediaMetadata: String?
    public var audio: AudioMetadata?

    public init(mediaType: String, mimeType: String?, width: Int?, height: Int?, durationSec: Double?, fps: Double?,
                frameCount: Int?, mediaMetadata: String?, audio: AudioMetadata?) {
        self.mediaType = mediaType
        self.mimeType = mimeType
        self.width = width
        self.height = height
        self.durationSec = durationSec
        self.fps = fps
        self.frameCount = frameCount
        self.mediaMetadata = mediaMetadata
        self.audio = audio
    }
}

extension Asset {
    /// The stored asset filled with what the first ingest did not know (a URL,
    /// a provider id), never overwriting; a pending row takes the new file.
    static func merge(stored: Asset, candidate: Asset) -> Asset {
        var merged = stored
        merged.remoteURL = merged.remoteURL ?? candidate.remoteURL
        merged.providerID = merged.providerID ?? candidate.providerID
        merged.providerAssetID = merged.providerAssetID ?? candidate.providerAssetID
        merged.originalPath = merged.originalPath ?? candidate.originalPath
        if merged.localPath == nil || merged.syncStatus != Asset.SyncStatus.stored.rawValue {
            merged.localPath = candidate.localPath ?? merged.localPath
            merged.syncStatus = candidate.syncStatus
        }
        merged.lastAccessedAt = Date()
        return merged
    }
}
