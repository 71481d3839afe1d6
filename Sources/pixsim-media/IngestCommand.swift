import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media ingest SOURCE... [--manifest GEN.json] [--stages LIST]`.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Bring files or URLs (file://, http(s)://) into the library and run the pipeline on each.",
        discussion: """
        The same bytes are one asset whatever path or URL they came from. With --manifest, the generation \
        is recorded with lineage edges to its parents (parents given by path are ingested first); the \
        SOURCE, if given, is the generation's result, else the manifest's "result". Prints the batch JSON.
        """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var manifestOptions: ManifestOptions

    @Option(name: .long, help: "A generation manifest (SPEC section 3) describing the source.")
    var manifest: String?

    @Option(name: .long, help: "Stages to run, comma-separated (sync is always run): sync,probe,thumbnail,keyframes,segments, and loops when named.")
    var stages: String?

    @Flag(name: .long, help: "Retry stages that failed in an earlier run.")
    var retryFailed = false

    @Argument(help: "Paths or URLs.")
    var sources: [String] = []

    func validate() throws {
        if sources.isEmpty && manifest == nil { throw ValidationError("give at least one SOURCE or a --manifest") }
        if manifest != nil && sources.count > 1 { throw ValidationError("a manifest describes one result: give at most one SOURCE with --manifest") }
    }

    func run() async throws {
        options.configureLogging()
        let stageList = try LibraryCommandSupport.stages(stages)
        try await CommandOutput.run(json: options.json, subject: manifest ?? sources.first ?? options.libraryDisplayName) {
            let store = try LibraryCommandSupport.openStore(options)
            let runner = LibraryCommandSupport.makeRunner(store)
            let runOptions = PipelineRunner.Options(stages: stageList, retryFailed: retryFailed,
                                                    manifestConfinement: manifestOptions.confinement)
            var outcomes: [IngestOutcome] = []
            if let manifest {
                let parsed = try GenerationManifest.load(manifest)
                let override = try sources.first.map { try MediaSource($0) }
                outcomes.append(runner.ingestGeneration(parsed, result: override, options: runOptions, displayName: sources.first ?? manifest))
            } else {
                for text in sources {
                    do {
                        outcomes.append(runner.ingest(try MediaSource(text), options: runOptions, displayName: text))
                    } catch let error as PipelineError {
                        outcomes.append(.failure(text, error))
                    }
                }
            }
            for outcome in outcomes { OutcomeText.print(outcome, quiet: options.quiet || options.json) }
            if options.json { try CommandOutput.printJSON(BatchDocument(outcomes)) }
            if outcomes.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
        }
    }
}
