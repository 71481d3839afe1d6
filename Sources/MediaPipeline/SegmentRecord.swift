import Foundation
import MediaLibrary
import MediaOps

extension AssetTemporalSegment {
    /// The library row of one ``TemporalSegment``: the one place the domain
    /// value becomes columns. MediaLibrary does not see MediaOps (SPEC section 2),
    /// so the enums are stored as their JSON names (`transition_in` "cut",
    /// `camera_motion` "pan_left", the names `segments --json` prints) and the
    /// dominant colours as the same JSON array.
    init(_ segment: TemporalSegment, assetID: Int64) {
        self.init(
            assetID: assetID, segmentIndex: segment.index, segmentType: segment.segmentType,
            transitionIn: segment.transitionIn.rawValue, timestampSec: segment.startTime, endSec: segment.endTime,
            frameNumber: segment.startFrame, endFrame: segment.endFrame, thumbnailPath: nil,
            brightness: segment.brightness, dominantColors: PipelineRunner.json(segment.dominantColors),
            cameraMotion: segment.cameraMotion.rawValue, motionMagnitude: segment.motionMagnitude,
            startHash: segment.startHash, endHash: segment.endHash)
    }
}
