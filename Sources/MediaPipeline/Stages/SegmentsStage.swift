import Foundation
import MediaLibrary

/// Temporal segments with their features, into `asset_temporal_segments`.
struct SegmentsStage: AssetStage {
    static let name = "segments"
    static let version = 1
    static let records = "asset_temporal_segments (one row per shot, replaced whole)"
    static let analysisPass = AnalysisPassUse.wholeVideo
    static func isProvided(by operations: PipelineOperations) -> Bool { operations.segments != nil }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let assetID = job.asset.assetID
        let features: [SegmentFeatures]
        if let shared = try job.analysisPass() {
            features = shared.result.segments
        } else {
            guard let analyzer = job.operations.segments else { throw job.unavailable(Self.name, needs: "analysis (segments)") }
            features = try analyzer.analyzeSegments(input: job.input, decoderThreads: job.decoderThreads)
        }
        let rows = features.map { Self.segmentRow($0, assetID: assetID) }
        return try job.store.completeStageRun(id: job.stageRunID, result: #"{"segments": \#(rows.count)}"#) { db in
            try MediaStore.replaceSegments(db, assetID: assetID, with: rows)
        }
    }

    static func segmentRow(_ segment: SegmentFeatures, assetID: Int64) -> AssetTemporalSegment {
        AssetTemporalSegment(
            assetID: assetID, segmentIndex: segment.index, segmentType: segment.segmentType,
            transitionIn: segment.transitionIn, timestampSec: segment.startTime, endSec: segment.endTime,
            frameNumber: segment.startFrame, endFrame: segment.endFrame, thumbnailPath: nil,
            brightness: segment.brightness, dominantColors: PipelineRunner.json(segment.dominantColors),
            cameraMotion: segment.cameraMotion, motionMagnitude: segment.motionMagnitude,
            startHash: segment.startHash, endHash: segment.endHash)
    }
}

extension PipelineStage {
    public static let segments = PipelineStage(SegmentsStage.self)
}
