import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media compose ASSET... -o OUT`.
struct ComposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Concatenate assets into one video, as a new asset with lineage (one parent per input, in order)."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The assets in order: ids, SHA-256 prefixes or paths of files.") var assets: [String]
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Flag(name: .long, help: "Drop an input's first frame when it repeats the previous input's last frame.")
    var trimDuplicateJoins = false

    func validate() throws {
        if assets.count < 2 { throw ValidationError("give at least two assets to compose") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: output) {
            let store = try LibraryCommandSupport.openStore(options)
            var ids: [Int64] = []
            for reference in assets { ids.append(try LibraryCommandSupport.resolve(reference, in: store).assetID) }
            let editor = LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                                       options: PipelineRunner.Options(stages: PipelineOperations.standard.defaultStages))
            let rendered = try editor.compose(assetIDs: ids, output: output, trimDuplicateJoins: trimDuplicateJoins)
            if options.json {
                try CommandOutput.printJSON(RenderDocument(rendered))
            } else if !options.quiet {
                CommandOutput.printLine("composed \(ids.count) assets into \(output) (asset #\(rendered.asset.assetID))")
            }
        }
    }
}
