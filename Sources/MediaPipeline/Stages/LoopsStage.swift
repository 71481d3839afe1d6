import Foundation
import MediaLibrary
import MediaOps

/// Seamless loops (game idle loops), into `asset_loops`. Asked for by name (`--stages loops`): it decodes
/// the video once more, for a result only some assets need.
struct LoopsStage: AssetStage {
    static let name = "loops"
    static let version = 1
    static let records = "asset_loops (the best loops, replaced whole)"
    static let runsByDefault = false
    static func isProvided(by operations: PipelineOperations) -> Bool { operations.loops != nil }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        guard let finder = job.operations.loops else { throw job.unavailable(Self.name, needs: "loop search") }
        let assetID = job.asset.assetID
        let rows = try finder.findLoops(input: job.input, decoderThreads: job.decoderThreads).map {
            AssetLoop(assetID: assetID, loopIndex: 0, startFrame: $0.startFrame, endFrame: $0.endFrame, startTime: $0.startTime,
                      endTime: $0.endTime, score: $0.score, seamPSNR: $0.seamPSNR)
        }
        return try job.store.completeStageRun(id: job.stageRunID, status: .succeeded, result: #"{"loops": \#(rows.count)}"#,
                                              assetID: assetID, writing: .loops(rows))
    }
}

extension PipelineStage {
    public static let loops = PipelineStage(LoopsStage.self)
}
