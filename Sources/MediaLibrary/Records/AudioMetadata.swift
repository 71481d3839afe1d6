import GRDB

/// The audio of an asset that has some (`asset_audio_metadata`).
public struct AudioMetadata: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_audio_metadata"

    public var assetID: Int64
    public var sampleRate: Int?
    public var channels: Int?
    public var bitrate: Int64?
    public var codec: String?
    /// Other audio facts (channel layout, sample format), as JSON text.
    public var extra: String?

    enum CodingKeys: String, CodingKey {
        case assetID = "asset_id", sampleRate = "sample_rate", channels, bitrate, codec, extra
    }

    public enum Columns {
        public static let assetID = Column(CodingKeys.assetID)
    }

    public init(assetID: Int64, sampleRate: Int?, channels: Int?, bitrate: Int64?, codec: String?, extra: String?) {
        self.assetID = assetID
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrate = bitrate
        self.codec = codec
        self.extra = extra
    }
}
