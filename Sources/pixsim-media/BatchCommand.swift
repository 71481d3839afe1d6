import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media batch DIR|LISTFILE [--jobs N] [--retry-failed] [--stages LIST]`.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Ingest every media file under a folder (recursively) or listed in a file; resumable.",
        discussion: """
        Generation manifests (.json with provider_id and operation_type) found in the folder are ingested \
        after the media, with their lineage. A rerun skips what is done and finishes what a killed run \
        left; one bad file fails alone. Prints a summary, or the batch JSON with --json.
        """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var manifestOptions: ManifestOptions

    @Option(name: .long, help: "Assets in flight at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: .long, help: "Retry items and stages that failed in an earlier run.")
    var retryFailed = false

    @Option(name: .long, help: "Stages to run, comma-separated (sync is always run): sync,probe,thumbnail,keyframes,segments, and loops when named.")
    var stages: String?

    @Flag(name: .long, help: "On a PostgreSQL library: put the items in the job queue for workers, and return.")
    var enqueueOnly = false

    @Argument(help: "A folder, or a text file listing paths or URLs one per line.")
    var input: String

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        options.configureLogging()
        let stageList = try LibraryCommandSupport.stages(stages)
        try await CommandOutput.run(json: options.json, subject: input) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw PipelineError(subject: input, code: .invalidArgument, message: "no such folder or list file")
            }
            let items = isDirectory.boolValue ? try BatchRunner.items(inFolder: input) : try BatchRunner.items(inListFile: input)
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let jobCount = jobs ?? cores
            if JobCommandSupport.isPostgres(options) {
                // On a shared library the batch goes through the job queue, so workers anywhere share it.
                let bar = ProgressBar(enabled: options.showsProgress && !enqueueOnly)
                let outcomes = try await BatchOnQueue.run(options, items: items, stages: stageList, jobs: jobCount,
                                                          enqueueOnly: enqueueOnly) { bar.update($0) }
                bar.finish()
                try report(BatchReport(outcomes: outcomes))
                return
            }
            if enqueueOnly {
                throw PipelineError(subject: options.libraryDisplayName, code: .invalidArgument,
                                    message: "--enqueue-only needs a PostgreSQL library (a folder library has no job queue)")
            }
            let store = try LibraryCommandSupport.openStore(options)
            // Share the cores among the assets in flight rather than giving each decoder all of them.
            let runner = LibraryCommandSupport.makeRunner(store, decoderThreads: max(1, cores / jobCount))
            let batch = BatchRunner(runner: runner, options: PipelineRunner.Options(stages: stageList, retryFailed: retryFailed,
                                                                                manifestConfinement: manifestOptions.confinement),
                                    jobs: jobCount)
            let bar = ProgressBar(enabled: options.showsProgress)
            let result = await batch.run(items) { bar.update($0) }
            bar.finish()
            try report(result)
        }
    }

    /// Prints the failures, then the summary (or the batch JSON); exit 1 when an item failed.
    func report(_ report: BatchReport) throws {
        for outcome in report.outcomes where outcome.status == .failed {
            OutcomeText.print(outcome, quiet: true)
        }
        if options.json {
            try CommandOutput.printJSON(BatchDocument(report.outcomes))
        } else if !options.quiet {
            CommandOutput.printLine("\(report.processed) processed: \(report.succeeded) succeeded, \(report.skipped) skipped (already done), \(report.failed) failed")
        }
        if report.failed > 0 { throw ExitCode(1) }
    }
}
