/// A parent of a generation, already resolved to an asset.
public struct GenerationParent: Sendable, Equatable {
    public var assetID: Int64
    public var role: String
    public var startTime: Double?
    public var endTime: Double?
    public var frame: Int?
    public var sequenceOrder: Int
    /// What the backend did with the parent, as JSON text (`asset_lineage.transformation`).
    public var transformation: String?

    public init(assetID: Int64, role: String, startTime: Double? = nil, endTime: Double? = nil, frame: Int? = nil, sequenceOrder: Int,
                transformation: String? = nil) {
        self.assetID = assetID
        self.role = role
        self.startTime = startTime
        self.endTime = endTime
        self.frame = frame
        self.sequenceOrder = sequenceOrder
        self.transformation = transformation
    }
}
