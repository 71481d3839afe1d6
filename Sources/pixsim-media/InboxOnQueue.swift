import Foundation
import Synchronization
import MediaLibrary
import MediaPipeline

/// `watch` on a PostgreSQL library: each settled inbox item becomes a job in the
/// library's queue (workers on any machine may take it), and the item is filed
/// in done/ or failed/ once its job is finished.
///
/// One queue (one connection pool) and one pipeline serve the whole watch, not
/// one per item. Unless `--enqueue-only`, this process works each item's job
/// itself as it hands it over; with `--enqueue-only` it only hands items over
/// and, at each scan, files those whose jobs workers have finished. An item
/// stays in the inbox until then, because the job reads it from there.
final class InboxOnQueue: Sendable {
    let queue: JobQueue
    /// The pipeline this process works jobs with; nil with `--enqueue-only`.
    let handler: PipelineJobHandler?
    let stages: [PipelineStage]
    /// Items handed over whose jobs are not finished yet, by path (asked about again at each scan).
    private let handedOver = Mutex<[String: Int64]>([:])

    init(queue: JobQueue, handler: PipelineJobHandler?, stages: [PipelineStage]) {
        var queue = queue
        queue.baseBackoff = BatchOnQueue.retryBackoff
        self.queue = queue
        self.handler = handler
        self.stages = stages
    }

    /// The item's outcome once its job is finished, or nil while it is not (the watcher then leaves it in
    /// the inbox). Blocks the calling thread (the watcher's own, never one of Swift's cooperative pool).
    func ingest(path: String, isManifest: Bool) -> IngestOutcome? {
        let answer = Mutex<Result<IngestOutcome?, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<IngestOutcome?, any Error>
            do { result = .success(try await self.handOver(path: path, isManifest: isManifest)) } catch { result = .failure(error) }
            answer.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        switch answer.withLock({ $0 }) {
        case .success(let outcome)?:
            return outcome
        case .failure(let error as any CodedError)?:
            return .failure(path, PipelineError(error))
        case .failure(let error)?:
            return .failure(path, PipelineError(subject: path, code: .database, message: "\(error)"))
        case nil:
            return .failure(path, PipelineError(subject: path, code: .database, message: "no outcome from the queue"))
        }
    }

    private func handOver(path: String, isManifest: Bool) async throws -> IngestOutcome? {
        let id: Int64
        if let known = handedOver.withLock({ $0[path] }) {
            id = known
        } else {
            let stageText = stages.map(\.name).joined(separator: ",")
            let planned = try BatchOnQueue.requests([isManifest ? .manifest(path) : .media(path)], stages: stageText)
            guard let request = planned.first?.request,
                  let enqueued = try await BatchOnQueue.enqueue([request], on: queue).first else {
                throw PipelineError(subject: path, code: .database, message: "could not enqueue the item")
            }
            id = enqueued
            handedOver.withLock { $0[path] = id }
        }
        if let handler {
            try await BatchOnQueue.work(on: queue, handler: handler, jobs: 1, until: [id], progress: { _ in })
        }
        let job = try await queue.jobs(ids: [id]).first
        // Unfinished (a worker elsewhere has it, or this process was stopped and released it): the item stays.
        if let job, !job.state.isFinished { return nil }
        handedOver.withLock { $0[path] = nil }
        return BatchOnQueue.outcome(path, job: job, enqueueOnly: false)
    }
}
