import ArgumentParser
import Foundation
import MediaDocuments
import Logging
import MediaLibrary
import MediaPipeline

/// `pixsim-media watch INBOX`: the long-running worker after generations complete.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Process each generation manifest (or media file) dropped into INBOX; move it to done/ or failed/.",
        discussion: """
        Runs until SIGINT or SIGTERM, then finishes the item in hand and exits 0. A failed item goes to \
        failed/ with NAME.error.txt beside it. Restarting picks up whatever is still in INBOX.
        """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var manifestOptions: ManifestOptions

    @Option(name: .long, help: "Stages to run, comma-separated (sync is always run).")
    var stages: String?

    @Flag(name: .long, help: "Retry items that failed in an earlier run (a changed file is retried anyway).")
    var retryFailed = false

    @Option(name: .long, help: "Seconds a file's size and modification time must stay unchanged before it is taken.")
    var settle: Double = 5

    @Option(name: .long, help: "Seconds between scans of the inbox.")
    var interval: Double = 1

    @Flag(name: .long, help: "On a PostgreSQL library: hand each item to the job queue for workers and file it once they finished it; work none here.")
    var enqueueOnly = false

    @Argument(help: "The inbox folder.")
    var inbox: String

    func run() async throws {
        options.configureLogging(defaultLevel: .info)
        let stageList = try LibraryCommandSupport.stages(stages)
        if JobCommandSupport.isPostgres(options) {
            // A shared library: each item becomes a job in its queue, which workers anywhere may run; this
            // process works it too (unless --enqueue-only) and files the item once the job is finished.
            try await JobCommandSupport.withQueue(options) { location, queue in
                let handler = enqueueOnly ? nil : try JobCommandSupport.pipelineHandler(location, concurrency: 1)
                let store = try handler?.runner.store ?? PostgresLibraryStore.open(location)
                let handOff = InboxOnQueue(queue: queue, handler: handler, stages: stageList)
                var watcher = makeWatcher(store, stages: stageList)
                watcher.ingestItem = { path, isManifest in handOff.ingest(path: path, isManifest: isManifest) }
                try await watch(watcher)
            }
            return
        }
        try await CommandOutput.run(json: options.json, subject: inbox) {
            if enqueueOnly {
                throw PipelineError(subject: options.libraryDisplayName, code: .invalidArgument,
                                    message: "--enqueue-only needs a PostgreSQL library (a folder library has no job queue)")
            }
            try await watch(makeWatcher(try LibraryCommandSupport.openStore(options), stages: stageList))
        }
    }

    func makeWatcher(_ store: any LibraryStore, stages: [PipelineStage]) -> InboxWatcher {
        InboxWatcher(inbox: URL(fileURLWithPath: inbox), runner: LibraryCommandSupport.makeRunner(store),
                     options: PipelineRunner.Options(stages: stages, retryFailed: retryFailed,
                                                    manifestConfinement: manifestOptions.confinement),
                     pollInterval: max(0.1, interval), settleTime: max(0, settle))
    }

    /// Runs the watcher until SIGINT or SIGTERM, printing each item as it is filed.
    func watch(_ watcher: InboxWatcher) async throws {
        let stop = StopSignal()
        let quiet = options.quiet
        let json = options.json
        if !quiet && !json { CommandOutput.printLine("watching \(inbox) (Ctrl-C to stop)") }
        // The watcher blocks (libav, the store, polling): give it its own thread.
        let outcomes = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[IngestOutcome], any Error>) in
            Thread.detachNewThread {
                var seen: [IngestOutcome] = []
                do {
                    try watcher.run(shouldStop: { stop.isStopRequested }) { outcome in
                        seen.append(outcome)
                        OutcomeText.print(outcome, quiet: quiet || json)
                    }
                    continuation.resume(returning: seen)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        // With --json, one document when the watcher stops: everything it processed.
        if json { try CommandOutput.printJSON(BatchDocument(outcomes)) }
        if !quiet && !json { CommandOutput.printLine("stopped after \(outcomes.count) item(s)") }
    }
}
