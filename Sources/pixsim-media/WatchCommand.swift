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

    @Argument(help: "The inbox folder.")
    var inbox: String

    func run() async throws {
        options.configureLogging(defaultLevel: .info)
        let stageList = try LibraryCommandSupport.stages(stages)
        try await CommandOutput.run(json: options.json, subject: inbox) {
            let store = try LibraryCommandSupport.openStore(options)
            var configured = InboxWatcher(inbox: URL(fileURLWithPath: inbox), runner: LibraryCommandSupport.makeRunner(store),
                                       options: PipelineRunner.Options(stages: stageList, retryFailed: retryFailed,
                                                                      manifestConfinement: manifestOptions.confinement),
                                       pollInterval: max(0.1, interval), settleTime: max(0, settle))
            if JobCommandSupport.isPostgres(options) {
                // A shared library: each item becomes a job in its queue (workers anywhere may run it); this
                // process works it too and files the item once the job is finished.
                let options = self.options
                configured.ingestItem = { path, isManifest in
                    BatchOnQueue.ingestWaiting(options, path: path, isManifest: isManifest, stages: stageList)
                }
            }
            let watcher = configured
            let stop = StopSignal()
            let quiet = options.quiet
            let json = options.json
            if !quiet && !json { CommandOutput.printLine("watching \(inbox) (Ctrl-C to stop)") }
            // The watcher blocks (libav, SQLite, polling): give it its own thread.
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
}
