import Foundation
import GRDB

/// A rendition of an asset (`asset_variants`, the backend's `AssetVariant`): a lighter web
/// version (`compressed`), another aspect ratio (`reframed`) or a larger picture (`upscaled`),
/// with its own file. The file is also an asset of its own (``variantAssetID``) with a
/// `variant_source` lineage edge to ``assetID``.
///
/// ``parametersKey`` is the canonical text of the parameters that made it: the unique index
/// on (asset, type, key) makes asking again for the same rendition a no-op.
public struct AssetVariant: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_variants"

    public var id: Int64?
    /// The source asset.
    public var assetID: Int64
    /// The asset holding the rendition's file.
    public var variantAssetID: Int64
    /// `compressed`, `reframed` or `upscaled`.
    public var variantType: String
    public var parametersKey: String
    /// The file, relative to the file store (`files/ab/abcdef….mp4`) as other stored paths.
    public var path: String
    public var width: Int
    public var height: Int
    public var codec: String
    public var bitRate: Int64?
    /// What the rendering measured and decided (parameters, crop windows, timings), as JSON text.
    public var metadata: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, path, width, height, codec, metadata
        case assetID = "asset_id", variantAssetID = "variant_asset_id", variantType = "variant_type"
        case parametersKey = "parameters_key", bitRate = "bit_rate", createdAt = "created_at"
    }

    public enum Columns {
        public static let assetID = Column(CodingKeys.assetID)
        public static let variantType = Column(CodingKeys.variantType)
        public static let parametersKey = Column(CodingKeys.parametersKey)
    }

    public init(id: Int64? = nil, assetID: Int64, variantAssetID: Int64, variantType: String, parametersKey: String,
                path: String, width: Int, height: Int, codec: String, bitRate: Int64?, metadata: String?,
                createdAt: Date = Date()) {
        self.id = id
        self.assetID = assetID
        self.variantAssetID = variantAssetID
        self.variantType = variantType
        self.parametersKey = parametersKey
        self.path = path
        self.width = width
        self.height = height
        self.codec = codec
        self.bitRate = bitRate
        self.metadata = metadata
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The lineage edge from the source to the rendition's asset (`variant_source`).
    public func lineageEdge(transformation: String?) -> LineageEdge {
        LineageEdge(childAssetID: variantAssetID, parentAssetID: assetID, parentRole: "variant_source",
                    operationType: "variant_\(variantType)", operationJobID: "variant:\(variantType):\(parametersKey)",
                    transformation: transformation, sequenceOrder: 0)
    }
}
