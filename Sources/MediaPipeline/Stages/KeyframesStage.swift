import Foundation
import Logging
import MediaLibrary

/// Representative frames beside the stored file (`….keyframes/`).
struct KeyframesStage: AssetStage {
    static let name = "keyframes"
    static let version = 1
    static let records = "the keyframe images in a folder beside the stored file; their times and frames in stage_runs.result"
    static let analysisPass = AnalysisPassUse.stills
    static func isProvided(by operations: PipelineOperations) -> Bool { operations.keyframes != nil }

    struct Listing: Codable {
        var folder: String
        var keyframes: [KeyframeRecord]
    }

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let store = job.store
        let destination = store.files.derivedPath(sha256: job.asset.sha256, suffix: "keyframes")
        // The extractor creates the folder; it is renamed into place whole.
        let images: [KeyframeRecord]
        let folder: URL
        let temporary = store.files.makeTemporaryPath()
        defer { try? FileManager.default.removeItem(at: temporary) }
        if let shared = try job.analysisPass(), let made = shared.result.keyframes, let file = shared.keyframes {
            images = made
            folder = file
        } else {
            if job.context.sharedPass != nil {
                job.runner.logger.notice("the analysis pass had no keyframes; seeking instead", metadata: ["asset": "\(job.asset.assetID)"])
            }
            guard let extractor = job.operations.keyframes else { throw job.unavailable(Self.name, needs: "analysis (keyframes)") }
            images = try extractor.extractKeyframes(input: job.input, folder: temporary.path, count: job.operations.keyframeCount,
                                                    decoderThreads: job.decoderThreads)
            folder = temporary
        }
        if FileManager.default.fileExists(atPath: destination.path) { try? FileManager.default.removeItem(at: destination) }
        try store.files.moveIntoPlace(folder, to: destination)
        let listing = Listing(folder: destination.path, keyframes: images)
        return try store.completeStageRun(id: job.stageRunID, result: PipelineRunner.json(listing))
    }
}

extension PipelineStage {
    public static let keyframes = PipelineStage(KeyframesStage.self)
}
