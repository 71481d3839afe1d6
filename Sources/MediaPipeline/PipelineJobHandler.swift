import Foundation
import MediaCore
import MediaLibrary

/// Runs the pipeline on a claimed job (the `worker` command's handler): the
/// job's source (with its generation manifest, if any) through
/// ``PipelineRunner``, into the library the runner's store holds.
///
/// Retries belong to the queue, so the runner always reruns stages that failed
/// before (`retryFailed`); a failure the queue may retry is one that can pass
/// on its own (a download, the database, storage, a parent not yet in the library); a vanished source, a bad
/// manifest or media that a stage cannot read fail that job at once.
public struct PipelineJobHandler: JobHandler {
    public let runner: PipelineRunner
    public let defaultStages: [PipelineStage]

    /// Codes of failures that may pass when tried again.
    /// (`unknown_parent`: a generation enqueued before its parent media finished; the parent may arrive.)
    static let retryableCodes: Set<ErrorCode> = [.download, .database, .storage, .unknownParent]

    public init(runner: PipelineRunner, defaultStages: [PipelineStage]? = nil) {
        self.runner = runner
        self.defaultStages = defaultStages ?? runner.operations.defaultStages
    }

    public func run(_ job: ClaimedJob) async throws -> Int64? {
        let stages: [PipelineStage]
        do { stages = try job.stages.map { try PipelineStage.parseList($0) } ?? defaultStages } catch {
            throw JobFailure("\(job.source): \(error)", retryable: false)
        }
        let options = PipelineRunner.Options(stages: stages, retryFailed: true)
        let runner = self.runner
        let outcome = await BatchRunner.onBlockingThread { Self.ingest(job, runner: runner, options: options) }
        if outcome.status == .failed {
            let error = outcome.error ?? PipelineError(subject: job.source, code: .stageFailed, message: "failed")
            throw JobFailure("\(error.subject): \(error.message)", retryable: Self.retryableCodes.contains(error.code))
        }
        return outcome.assetID
    }

    /// A job with a manifest is a generation: its source is either the manifest's own path (`enqueue
    /// --manifest`) or the result media (the backend's insert), read relative to the source's folder.
    static func ingest(_ job: ClaimedJob, runner: PipelineRunner, options: PipelineRunner.Options) -> IngestOutcome {
        func failed(_ error: PipelineError) -> IngestOutcome {
            IngestOutcome(path: job.source, assetID: nil, sha256: nil, status: .failed, error: error, stages: [])
        }
        let source: MediaSource
        do { source = try MediaSource(job.source) } catch { return failed(error) }
        if case .file(let path) = source, !FileManager.default.fileExists(atPath: path) {
            return failed(PipelineError(subject: job.source, code: .invalidArgument, message: "no such file (the source vanished)"))
        }
        guard let manifestText = job.manifest else {
            return runner.ingest(source, options: options, displayName: job.source)
        }
        let isManifestFile = source.pathExtension.lowercased() == "json"
        let base: URL? = if case .file(let path) = source { URL(fileURLWithPath: path).deletingLastPathComponent() } else { nil }
        do {
            let manifest = try GenerationManifest.parse(Data(manifestText.utf8), subject: job.source, baseFolder: base)
            return runner.ingestGeneration(manifest, result: isManifestFile ? nil : source, options: options,
                                           displayName: job.source)
        } catch {
            return failed(error)
        }
    }
}
