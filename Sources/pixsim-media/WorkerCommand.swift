import ArgumentParser
import Foundation
import MediaLibrary
import MediaPipeline

/// `pixsim-media worker [--concurrency N]`: claims and runs jobs until SIGTERM.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queued jobs of a PostgreSQL library until SIGTERM or SIGINT.",
        discussion: """
        Any number of workers on any number of hosts may share one library: each claims jobs with \
        FOR UPDATE SKIP LOCKED, holds a lease it renews while working, and is woken by NOTIFY (polling \
        as a fallback). On SIGTERM it claims nothing more, lets the jobs in hand finish within the grace \
        period and releases the others. One line per job on stderr.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "Jobs in flight at once (default 1).")
    var concurrency = 1

    @Option(name: .long, help: "Seconds a lease lasts without renewal (default 30).")
    var lease = 30.0

    @Option(name: .long, help: "Seconds between polls when no notification comes (default 1).")
    var pollInterval = 1.0

    @Option(name: .long, help: "Seconds the jobs in hand get to finish after SIGTERM (default 30).")
    var grace = 30.0

    @Option(name: .long, help: "Seconds before a failed job's first retry; doubles each time (default 10).")
    var retryBackoff = 10.0

    @Flag(name: .long, help: "Run no pipeline: claim and complete jobs only (queue benchmarks).")
    var noop = false

    @Option(name: .long, help: .hidden)
    var noopSeconds = 0.0

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if lease < 1 { throw ValidationError("--lease must be at least 1 second") }
        if pollInterval <= 0 || grace < 0 || retryBackoff < 0 { throw ValidationError("times must be positive") }
    }

    func run() async throws {
        options.configureLogging()
        let stop = StopSignal()
        try await JobCommandSupport.withQueue(options, connections: concurrency + 3) { location, queue in
            let handler: any JobHandler
            if noop {
                handler = NoopJobHandler(duration: .milliseconds(Int(noopSeconds * 1000)))
            } else {
                handler = try JobCommandSupport.pipelineHandler(location, concurrency: concurrency)
            }
            var queue = queue
            queue.baseBackoff = retryBackoff
            let worker = JobWorker(
                queue: queue, handler: handler,
                configuration: .init(concurrency: concurrency, lease: lease, pollInterval: pollInterval, grace: grace),
                log: JobCommandSupport.workerLog(options))
            let watcher = Task {
                while !stop.isStopRequested { try? await Task.sleep(for: .milliseconds(100)) }
                worker.stop()
            }
            JobCommandSupport.workerLog(options)("\(worker.configuration.owner) on \(location.displayName), concurrency \(concurrency)")
            await worker.run()
            watcher.cancel()
            let counts = worker.counts
            JobCommandSupport.workerLog(options)("stopped; \(counts.finished) job(s) recorded, \(counts.refused) refused or unrecorded")
        }
    }
}
