import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// An asset as the library commands print it.
public struct AssetDocument: Encodable {
    public var assetId: Int64
    public var sha256: String
    public var mediaType: String
    public var mimeType: String?
    public var localPath: String?
    public var originalPath: String?
    public var remoteUrl: String?
    public var providerId: String?
    public var providerAssetId: String?
    public var width: Int?
    public var height: Int?
    public var durationSec: Double?
    public var fps: Double?
    public var frameCount: Int?
    public var fileSizeBytes: Int64
    public var thumbnailPath: String?
    public var syncStatus: String
    public var sourceGenerationId: Int64?
    /// ISO 8601, UTC.
    public var createdAt: String

    /// Written out in snake_case (what the encoder's key strategy would make of the names), so the asset
    /// list can be encoded without converting every key of every asset (``DocumentEncoding/makeEncoder(pretty:convertingKeys:)``).
    public enum CodingKeys: String, CodingKey {
        case assetId = "asset_id", sha256, mediaType = "media_type", mimeType = "mime_type", localPath = "local_path"
        case originalPath = "original_path", remoteUrl = "remote_url", providerId = "provider_id"
        case providerAssetId = "provider_asset_id", width, height, durationSec = "duration_sec", fps
        case frameCount = "frame_count", fileSizeBytes = "file_size_bytes", thumbnailPath = "thumbnail_path"
        case syncStatus = "sync_status", sourceGenerationId = "source_generation_id", createdAt = "created_at"
    }

    public init(_ asset: Asset) {
        assetId = asset.assetID
        sha256 = asset.sha256
        mediaType = asset.mediaType
        mimeType = asset.mimeType
        localPath = asset.localPath
        originalPath = asset.originalPath
        remoteUrl = asset.remoteURL
        providerId = asset.providerID
        providerAssetId = asset.providerAssetID
        width = asset.width
        height = asset.height
        durationSec = asset.durationSec
        fps = asset.fps
        frameCount = asset.frameCount
        fileSizeBytes = asset.fileSizeBytes
        thumbnailPath = asset.thumbnailPath
        syncStatus = asset.syncStatus
        sourceGenerationId = asset.sourceGenerationID
        createdAt = DocumentEncoding.timestamp(asset.createdAt)
    }

    /// One line: `#12 ab12cd34 video 1280x720 5.000 s original.mp4`.
    public static func line(_ asset: Asset) -> String {
        var parts = ["#\(asset.assetID)", String(asset.sha256.prefix(12)), asset.mediaType]
        if let width = asset.width, let height = asset.height { parts.append("\(width)x\(height)") }
        if let duration = asset.durationSec { parts.append(String(format: "%.3f s", duration)) }
        if let source = asset.originalPath ?? asset.remoteURL { parts.append(source) }
        return parts.joined(separator: "  ")
    }
}

/// A lineage edge as printed.
public struct EdgeDocument: Encodable {
    public var parentAssetId: Int64
    public var childAssetId: Int64
    public var parentRole: String
    public var operationType: String
    public var operationJobId: String?
    public var parentStartTime: Double?
    public var parentEndTime: Double?
    public var parentFrame: Int?
    /// The stored JSON, as JSON (not as a string holding JSON).
    public var transformation: JSONValue?
    public var sequenceOrder: Int

    public enum CodingKeys: String, CodingKey {
        case parentAssetId, childAssetId, parentRole, operationType, operationJobId, parentStartTime, parentEndTime
        case parentFrame, transformation, sequenceOrder
    }

    /// Every column of an `asset_lineage` row, nulls included (issue 15 item 13): a field left out reads as
    /// "not recorded" when it may just be empty.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parentAssetId, forKey: .parentAssetId)
        try c.encode(childAssetId, forKey: .childAssetId)
        try c.encode(parentRole, forKey: .parentRole)
        try c.encode(operationType, forKey: .operationType)
        try c.encode(operationJobId, forKey: .operationJobId)
        try c.encode(parentStartTime, forKey: .parentStartTime)
        try c.encode(parentEndTime, forKey: .parentEndTime)
        try c.encode(parentFrame, forKey: .parentFrame)
        try c.encode(transformation, forKey: .transformation)
        try c.encode(sequenceOrder, forKey: .sequenceOrder)
    }

    public init(_ edge: LineageEdge) {
        parentAssetId = edge.parentAssetID
        childAssetId = edge.childAssetID
        parentRole = edge.parentRole
        operationType = edge.operationType
        operationJobId = edge.operationJobID
        parentStartTime = edge.parentStartTime
        parentEndTime = edge.parentEndTime
        parentFrame = edge.parentFrame
        transformation = edge.transformation.map(JSONValue.init(storedText:))
        sequenceOrder = edge.sequenceOrder
    }
}
