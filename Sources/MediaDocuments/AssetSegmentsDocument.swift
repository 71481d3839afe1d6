import Foundation
import MediaLibrary

/// An asset's segments as the library holds them (`GET /api/v1/assets/{asset}/segments`): the same
/// segment objects as `assets show`.
public struct AssetSegmentsDocument: Encodable {
    public var assetId: Int64
    public var segments: [AssetDetailDocument.Segment]

    public init(assetID: Int64, segments: [AssetTemporalSegment]) {
        assetId = assetID
        self.segments = segments.map(AssetDetailDocument.Segment.init)
    }
}
