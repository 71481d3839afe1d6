import GRDB

/// One shot of a video (`asset_temporal_segments`), as the segments stage found it.
public struct AssetTemporalSegment: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "asset_temporal_segments"

    public var id: Int64?
    public var assetID: Int64
    public var segmentIndex: Int
    /// "scene" for a shot; transitions may become segments of their own.
    public var segmentType: String
    /// "start", "cut", "fade", "dissolve" or "wipe".
    public var transitionIn: String?
    public var timestampSec: Double
    public var endSec: Double
    /// First frame (0-based, presentation order).
    public var frameNumber: Int
    /// One past the last frame.
    public var endFrame: Int
    public var thumbnailPath: String?
    public var brightness: Double?
    /// `[{"hex": "#1f3a5c", "weight": 0.42}, …]` as JSON text.
    public var dominantColors: String?
    public var cameraMotion: String?
    public var motionMagnitude: Double?
    /// 64-bit perceptual hash of the first frame, 16 hex digits.
    public var startHash: String?
    /// 64-bit perceptual hash of the last frame, 16 hex digits.
    public var endHash: String?
    /// `[first, end)` of the transition into the segment as JSON text, e.g. `[52, 64]`;
    /// `[f, f]` for a cut, NULL for the first segment (and rows from before it was kept).
    public var transitionFrames: String?

    enum CodingKeys: String, CodingKey {
        case id, brightness
        case assetID = "asset_id", segmentIndex = "segment_index", segmentType = "segment_type"
        case transitionIn = "transition_in", timestampSec = "timestamp_sec", endSec = "end_sec"
        case frameNumber = "frame_number", endFrame = "end_frame", thumbnailPath = "thumbnail_path"
        case dominantColors = "dominant_colors", cameraMotion = "camera_motion", motionMagnitude = "motion_magnitude"
        case startHash = "start_hash", endHash = "end_hash", transitionFrames = "transition_frames"
    }

    public enum Columns {
        public static let assetID = Column(CodingKeys.assetID)
        public static let segmentIndex = Column(CodingKeys.segmentIndex)
        public static let startHash = Column(CodingKeys.startHash)
        public static let endHash = Column(CodingKeys.endHash)
    }

    public init(id: Int64? = nil, assetID: Int64, segmentIndex: Int, segmentType: String, transitionIn: String?,
                timestampSec: Double, endSec: Double, frameNumber: Int, endFrame: Int, thumbnailPath: String?,
                brightness: Double?, dominantColors: String?, cameraMotion: String?, motionMagnitude: Double?,
                startHash: String?, endHash: String?, transitionFrames: String? = nil) {
        self.transitionFrames = transitionFrames
        self.id = id
        self.assetID = assetID
        self.segmentIndex = segmentIndex
        self.segmentType = segmentType
        self.transitionIn = transitionIn
        self.timestampSec = timestampSec
        self.endSec = endSec
        self.frameNumber = frameNumber
        self.endFrame = endFrame
        self.thumbnailPath = thumbnailPath
        self.brightness = brightness
        self.dominantColors = dominantColors
        self.cameraMotion = cameraMotion
        self.motionMagnitude = motionMagnitude
        self.startHash = startHash
        self.endHash = endHash
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
