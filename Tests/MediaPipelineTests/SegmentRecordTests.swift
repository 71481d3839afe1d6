import Foundation
import MediaLibrary
import MediaOps
import Testing
@testable import MediaPipeline

/// A segment is one value: the `segments --json` document decodes to the
/// ``TemporalSegment`` the pipeline stores, and its library row carries the
/// same names and numbers.
struct SegmentRecordTests {
    @Test func theLibraryRowIsTheSegmentValue() throws {
        let json = #"""
        {"index": 1, "segment_type": "scene", "start_frame": 60, "end_frame": 120, "start_time": 2.0, "end_time": 4.0,
         "transition_in": "dissolve", "brightness": 0.4, "dominant_colors": [{"hex": "#9f6745", "weight": 0.31}],
         "camera_motion": "pan_left", "motion_magnitude": 0.6, "start_hash": "00ff00ff00ff00ff", "end_hash": "ff00ff00ff00ff00",
         "representative_frame": 90, "representative_time": 3.0}
        """#
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let segment = try decoder.decode(TemporalSegment.self, from: Data(json.utf8))
        #expect(segment.transitionIn == .dissolve && segment.cameraMotion == .panLeft)

        let row = AssetTemporalSegment(segment, assetID: 7)
        #expect(row.assetID == 7 && row.segmentIndex == 1 && row.segmentType == "scene")
        #expect(row.transitionIn == "dissolve" && row.cameraMotion == "pan_left")
        #expect(row.frameNumber == 60 && row.endFrame == 120 && row.timestampSec == 2.0 && row.endSec == 4.0)
        #expect(row.brightness == 0.4 && row.motionMagnitude == 0.6)
        #expect(row.startHash == "00ff00ff00ff00ff" && row.endHash == "ff00ff00ff00ff00")
        #expect(row.dominantColors == ##"[{"hex":"#9f6745","weight":0.31}]"##)
        // Every stored name is one the enums know: the row reads back into the domain's vocabulary.
        #expect(TransitionKind(rawValue: row.transitionIn ?? "") == segment.transitionIn)
        #expect(CameraMotion(rawValue: row.cameraMotion ?? "") == segment.cameraMotion)
    }
}
