import Foundation
import MediaLibrary
import MediaOps

/// Temporal segments with their features, into `asset_temporal_segments`.
struct SegmentsStage: AssetStage {
    static let name = "segments"
    static let version = 1
    static let records = "asset_temporal_segments (one row per shot, replaced whole)"
    static let analysisPass = AnalysisPassUse.wholeVideo
    static func isProvided(by operations: PipelineOperations) -> Bool { operations.segments != nil }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let assetID = job.asset.assetID
        let features: [TemporalSegment]
        if let shared = try job.analysisPass() {
            features = shared.result.segments
        } else {
            guard let analyzer = job.operations.segments else { throw job.unavailable(Self.name, needs: "analysis (segments)") }
            features = try analyzer.analyzeSegments(input: job.input, decoderThreads: job.decoderThreads)
        }
        let rows = features.map { AssetTemporalSegment($0, assetID: assetID) }
        return try job.store.completeStageRun(id: job.stageRunID, status: .succeeded, result: #"{"segments": \#(rows.count)}"#,
                                              assetID: assetID, writing: .segments(rows))
    }
}

extension PipelineStage {
    public static let segments = PipelineStage(SegmentsStage.self)
}
