import Foundation
import GRDB

/// A seamless loop of a video (`asset_loops`), as the loops stage found it: `[start_frame, end_frame)`
/// plays on repeat without a visible seam. Ranked: `loop_index` 0 is the best.
public struct AssetLoop: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_loops"

    public var id: Int64?
    public var assetID: Int64
    public var loopIndex: Int
    public var startFrame: Int
    public var endFrame: Int
    public var startTime: Double
    public var endTime: Double
    public var score: Double
    /// PSNR (dB) of the seam on the analysis picture.
    public var seamPSNR: Double

    enum CodingKeys: String, CodingKey {
        case id, score
        case assetID = "asset_id", loopIndex = "loop_index", startFrame = "start_frame", endFrame = "end_frame"
        case startTime = "start_time", endTime = "end_time", seamPSNR = "seam_psnr"
    }

    public enum Columns {
        public static let assetID = Column(CodingKeys.assetID)
        public static let loopIndex = Column(CodingKeys.loopIndex)
    }

    public init(id: Int64? = nil, assetID: Int64, loopIndex: Int, startFrame: Int, endFrame: Int, startTime: Double, endTime: Double,
                score: Double, seamPSNR: Double) {
        self.id = id
        self.assetID = assetID
        self.loopIndex = loopIndex
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.startTime = startTime
        self.endTime = endTime
        self.score = score
        self.seamPSNR = seamPSNR
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
