import Foundation
import MediaLibrary
import MediaPipeline

/// `batch` on a PostgreSQL library: its items become jobs in the library's queue
/// (one transaction; workers on any machine are notified), and, unless
/// `--enqueue-only`, this process works as a worker with `--jobs` slots until
/// every job of the batch is finished, by it or by any other worker. The report
/// is read back from the jobs, in the same shape as on a folder library.
///
/// Media go first (priority 0) and manifests after them (priority 1), as the
/// folder batch runs them in two phases: a manifest's parents are then in the
/// library when it is read (and a parent still missing is a retryable failure).
enum BatchOnQueue {
    /// Tries per item: a killed worker's job is taken again, a download retried; a bad file still fails at once.
    static let maxAttempts = 3
    /// Seconds before a failed item's first retry (the batch is being watched; workers' default is longer).
    static let retryBackoff = 2.0

    /// The jobs for `items`; items the folder scan passed over are reported, not enqueued.
    static func requests(_ items: [BatchItem], stages: String?) throws -> [(item: BatchItem, request: JobRequest?)] {
        try items.map { item in
            switch item {
            case .media(let source), .linkedMedia(let source, _):
                return (item, JobRequest(source: try EnqueueCommand.absolute(source), stages: stages, priority: 0,
                                         maxAttempts: maxAttempts))
            case .manifest(let path):
                let absolute = try EnqueueCommand.absolute(path)
                let text = try String(contentsOfFile: absolute, encoding: .utf8)
                return (item, JobRequest(source: absolute, manifest: text, stages: stages, priority: 1, maxAttempts: maxAttempts))
            case .passedOver:
                return (item, nil)
            }
        }
    }

    /// Enqueues the batch and (unless `enqueueOnly`) works on it until every job is finished.
    /// - Returns: one outcome per item, in order (an item only enqueued is reported as skipped, with its job).
    static func run(_ options: GlobalOptions, items: [BatchItem], stages: [PipelineStage], jobs: Int,
                    enqueueOnly: Bool, progress: @escaping @Sendable (BatchProgress) -> Void) async throws -> [IngestOutcome] {
        let stageText = stages.map(\.name).joined(separator: ",")
        let planned = try requests(items, stages: stageText)
        let handler = enqueueOnly ? nil : try JobCommandSupport.pipelineHandler(JobCommandSupport.location(options), concurrency: jobs)
        var outcomes: [IngestOutcome] = []
        try await JobCommandSupport.withQueue(options, connections: jobs + 3) { _, base in
            var queue = base
            queue.baseBackoff = retryBackoff
            let ids = try await enqueue(planned.compactMap(\.request), on: queue)
            if let handler {
                try await work(on: queue, handler: handler, jobs: jobs, until: ids, progress: progress)
            }
            let finished = Dictionary(uniqueKeysWithValues: try await queue.jobs(ids: ids).map { ($0.id, $0) })
            var next = ids.makeIterator()
            for (item, request) in planned {
                guard request != nil, let id = next.next() else {
                    outcomes.append(passedOver(item))
                    continue
                }
                outcomes.append(outcome(item.name, job: finished[id], enqueueOnly: enqueueOnly))
            }
        }
        return outcomes
    }

    /// The id of each request's job: the new one, or the unfinished one that already covered it.
    static func enqueue(_ requests: [JobRequest], on queue: JobQueue) async throws -> [Int64] {
        let added = try await queue.enqueue(requests)
        var ids: [Int64] = []
        for (request, id) in zip(requests, added) {
            if let id {
                ids.append(id)
            } else if let existing = try await queue.unfinishedJob(dedupeKey: request.dedupeKey) {
                ids.append(existing)
            } else {
                // Finished between the enqueue and the look-up: enqueue it again.
                let again = try await queue.enqueue([request])
                guard let id = again.first ?? nil else {
                    throw PipelineError(subject: request.source, code: .database, message: "could not enqueue the item")
                }
                ids.append(id)
            }
        }
        return ids
    }

    /// Runs a worker in this process until every job in `ids` is finished (whoever ran it). On SIGINT or
    /// SIGTERM it stops claiming, gives the jobs in hand 5 s, and releases the rest to other workers.
    static func work(on queue: JobQueue, handler: PipelineJobHandler, jobs: Int, until ids: [Int64],
                     progress: @escaping @Sendable (BatchProgress) -> Void) async throws {
        // An item listed twice shares its job: wait for each job once.
        let ids = Array(Set(ids))
        let worker = JobWorker(queue: queue, handler: handler,
                               configuration: .init(concurrency: jobs, pollInterval: 0.5, grace: 5, pruneAfter: nil), log: { _ in })
        let running = Task { await worker.run() }
        let started = Date()
        let stop = StopSignal()
        // Looking up the batch's jobs is one indexed query; often for a small batch (its end is noticed
        // within 50 ms), less often for a large one (at most every 0.5 s).
        let interval = min(0.5, 0.05 + Double(ids.count) / 2000)
        while !stop.isStopRequested {
            let states = try await queue.jobs(ids: ids)
            let finished = states.filter(\.state.isFinished)
            progress(BatchProgress(done: finished.count, total: ids.count, failed: finished.filter { $0.state != .succeeded }.count,
                                   elapsed: Date().timeIntervalSince(started),
                                   current: states.filter { $0.state == .running }.map(\.source)))
            if finished.count == ids.count { break }
            try await Task.sleep(for: .seconds(interval))
        }
        worker.stop()
        await running.value
    }

    /// An item the folder scan passed over (it says why), as the folder batch reports it.
    static func passedOver(_ item: BatchItem) -> IngestOutcome {
        var outcome = IngestOutcome(path: item.name, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
        if case .passedOver(_, let reason) = item { outcome.warnings.append(reason) }
        return outcome
    }

    /// A finished job as the item outcome the batch document prints.
    static func outcome(_ path: String, job: MediaJob?, enqueueOnly: Bool) -> IngestOutcome {
        guard let job else {
            return .failure(path, PipelineError(subject: path, code: .database, message: "its job vanished from the queue"))
        }
        switch job.state {
        case .succeeded:
            return IngestOutcome(path: path, assetID: job.assetID, sha256: nil, status: .succeeded, error: nil, stages: [])
        case .failed, .cancelled:
            let message = job.lastError ?? "job \(job.id) \(job.state.rawValue)"
            return .failure(path, PipelineError(subject: path, code: .stageFailed, message: message))
        case .queued, .running:
            var outcome = IngestOutcome(path: path, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
            outcome.warnings.append(enqueueOnly ? "enqueued as job \(job.id)" : "job \(job.id) is still \(job.state.rawValue)")
            return outcome
        }
    }
}
