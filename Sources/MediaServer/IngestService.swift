import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `POST /api/v1/ingest`, through the same code paths as the command line: on a PostgreSQL library the
/// request becomes a job on the queue (`enqueue`), for any worker to run; on a SQLite library, which has
/// no queue, the pipeline runs here before the answer (`ingest`).
struct IngestService: Sendable {
    let library: LibraryAccess
    /// The PostgreSQL library's queue; nil on SQLite.
    let jobs: JobQueue?
    /// An empty folder: a manifest's relative paths are read from it, so none names a file.
    let emptyFolder: URL

    /// Runs or enqueues the request.
    /// - Returns: whether it was accepted for later (a job) and the answer.
    func ingest(_ request: IngestRequest) async throws -> (queued: Bool, answer: Data) {
        if let jobs {
            let manifestText: String? = if case .manifest(let text, _) = request.source { text } else { nil }
            let job = JobRequest(source: request.sourceName, manifest: manifestText, stages: request.stages)
            let added = try await jobs.enqueue([job]).first ?? nil
            let id: Int64? = if let added { added } else { try await jobs.unfinishedJob(dedupeKey: job.dedupeKey) }
            let answer = IngestAnswerDocument(jobID: id, enqueued: added != nil, assetID: nil, batch: nil)
            return (true, try DocumentEncoding.makeEncoder(pretty: false).encode(answer))
        }
        let stages = try request.stages.map { try PipelineStage.parseList($0) } ?? PipelineOperations.standard.defaultStages
        let data = try await library.run { store in
            let runner = PipelineRunner(store: store, operations: .standard, downloader: Downloader(), decoderThreads: 0)
            let options = PipelineRunner.Options(stages: stages, retryFailed: false, manifestConfinement: ManifestConfinement())
            let outcome: IngestOutcome
            switch request.source {
            case .url(let url):
                outcome = runner.ingest(try MediaSource(url), options: options, displayName: url)
            case .manifest(_, let manifest):
                outcome = runner.ingestGeneration(manifest, options: options, displayName: request.sourceName)
            }
            let answer = IngestAnswerDocument(jobID: nil, enqueued: false, assetID: outcome.assetID, batch: BatchDocument([outcome]))
            return try DocumentEncoding.makeEncoder(pretty: false).encode(answer)
        }
        return (false, data)
    }
}
