import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media lineage ASSET [--ancestors|--descendants] [--format tree|json|dot]`.
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "The derivation graph of an asset: what it was made from, or what was made from it.",
        discussion: "--json is the same as --format json."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, json, dot
    }

    @OptionGroup var options: GlobalOptions

    @Flag(name: .long, help: "What the asset was made from (the default).")
    var ancestors = false

    @Flag(name: .long, help: "What was made from the asset.")
    var descendants = false

    @Option(name: .long, help: "tree, json or dot (Graphviz).")
    var format: Format = .tree

    @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.")
    var asset: String

    func validate() throws {
        if ancestors && descendants { throw ValidationError("give --ancestors or --descendants, not both") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: asset) {
            let store = try LibraryCommandSupport.openStore(options)
            let found = try LibraryCommandSupport.resolve(asset, in: store)
            let graph = try store.lineage(of: found.assetID, direction: descendants ? .descendants : .ancestors)
            switch options.json ? .json : format {
            case .json: try CommandOutput.printJSON(LineageDocument(graph))
            case .tree: CommandOutput.printLine(graph.treeText)
            case .dot: CommandOutput.printLine(graph.dotText)
            }
        }
    }
}
