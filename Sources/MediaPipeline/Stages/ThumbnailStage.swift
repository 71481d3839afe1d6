import Foundation
import Logging
import MediaLibrary

/// A poster frame beside the stored file (`….poster.jpg`, `assets.thumbnail_path`).
struct ThumbnailStage: AssetStage {
    static let name = "thumbnail"
    static let version = 1
    static let records = "assets.thumbnail_path and the poster image beside the stored file; the poster's frame in stage_runs.result"
    static let analysisPass = AnalysisPassUse.stills
    static func isProvided(by operations: PipelineOperations) -> Bool { operations.poster != nil }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let assetID = job.asset.assetID
        let store = job.store
        let destination = store.files.derivedPath(sha256: job.asset.sha256, suffix: "poster.jpg")
        let image: PosterRecord
        if let shared = try job.analysisPass(), let made = shared.result.poster, let file = shared.poster {
            image = made
            try store.files.moveIntoPlace(file, to: destination)
        } else {
            if job.context.sharedPass != nil {
                job.runner.logger.notice("the analysis pass had no good still for the poster; seeking instead",
                                         metadata: ["asset": "\(job.asset.assetID)"])
            }
            guard let poster = job.operations.poster else { throw job.unavailable(Self.name, needs: "analysis (thumbnail)") }
            let temporary = store.files.makeTemporaryPath(pathExtension: "jpg")
            defer { try? FileManager.default.removeItem(at: temporary) }
            image = try poster.makePoster(input: job.input, output: temporary.path, decoderThreads: job.decoderThreads)
            try store.files.moveIntoPlace(temporary, to: destination)
        }
        let result = PipelineRunner.json(image)
        return try store.completeStageRun(id: job.stageRunID, status: .succeeded, result: result, assetID: assetID,
                                          writing: .thumbnail(path: destination.path))
    }
}

extension PipelineStage {
    public static let thumbnail = PipelineStage(ThumbnailStage.self)
}
