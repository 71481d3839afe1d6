import Foundation
import MediaLibrary
import MediaPipeline

/// `batch` on a PostgreSQL library: the items become jobs in the shared queue (so workers on other machines
/// share them), and this process works on them too unless `--enqueue-only`, until every job it enqueued is
/// finished.
enum BatchOnQueue {
    static func run(_ items: [BatchItem], stages: String?, jobs: Int, enqueueOnly: Bool, options: GlobalOptions) async throws {
        var requests: [JobRequest] = []
        for item in items {
            switch item {
            case .media(let text):
                requests.append(JobRequest(source: (try? EnqueueCommand.absolute(text)) ?? text, stages: stages))
            case .manifest(let path):
                let absolute = (try? EnqueueCommand.absolute(path)) ?? path
                // Manifests after media: their parents named by hash are usually in by then (else they retry).
                requests.append(JobRequest(source: absolute, manifest: try? String(contentsOfFile: absolute, encoding: .utf8),
                                           stages: stages, priority: 1))
            }
        }
        try await JobCommandSupport.withQueue(options, connections: jobs + 3) { location, queue in
            let ids = try await queue.enqueue(requests)
            let mine = ids.compactMap { $0 }
            if !options.quiet {
                CommandOutput.printLine("enqueued \(mine.count) job(s); \(ids.count - mine.count) already queued or running")
            }
            guard !enqueueOnly else { return }
            let handler = try JobCommandSupport.pipelineHandler(location, concurrency: jobs)
            let log: @Sendable (String) -> Void = options.verbose ? JobCommandSupport.workerLog(options) : { _ in }
            let worker = JobWorker(queue: queue, handler: handler, configuration: JobWorker.Configuration(concurrency: jobs, pollInterval: 0.5),
                                   log: log)
            let stop = StopSignal()
            let run = Task { await worker.run() }
            var finished: [MediaJob] = []
            while !stop.isStopRequested {
                let states = try await queue.jobs(ids: mine)
                if states.allSatisfy(\.state.isFinished) { finished = states; break }
                try await Task.sleep(for: .milliseconds(200))
            }
            worker.stop()
            await run.value
            let failed = finished.filter { $0.state == .failed }
            for job in failed {
                CommandOutput.printError(path: JobDocument.printable(job.source), message: JobDocument.printable(job.lastError ?? "failed"))
            }
            if options.json {
                try CommandOutput.printJSON(["jobs": finished.map(JobDocument.init)])
            } else if !options.quiet {
                CommandOutput.printLine("\(finished.count - failed.count) succeeded, \(failed.count) failed")
            }
        }
    }
}
