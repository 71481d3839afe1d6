import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaOps
import MediaPipeline

/// `pixsim-media branch create|add-variant|list|render`.
struct BranchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "branch",
        abstract: "Branch points in an asset and their variant continuations (game endings).",
        subcommands: [Create.self, AddVariant.self, List.self, Render.self, Export.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "A branch point at a time in an asset.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String
        @Option(name: .long, help: "Branch time (seconds or HH:MM:SS.mmm).") var at: String
        @Option(name: .long, help: "A name for people.") var name: String
        @Option(name: .long, help: "A tag for tools.") var tag: String?
        @Option(name: .long, help: "Game metadata, as JSON.") var metadata: String?

        func validate() throws {
            _ = try LibraryCommandSupport.seconds(at, option: "--at")
            _ = try LibraryCommandSupport.jsonArgument(metadata, option: "--metadata")
        }

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let branch = try store.createBranch(AssetBranch(
                    sourceAssetID: source.assetID, branchTime: try LibraryCommandSupport.seconds(at, option: "--at"),
                    branchName: name, branchTag: tag,
                    gameMetadata: try LibraryCommandSupport.jsonArgument(metadata, option: "--metadata")))
                if options.json {
                    try CommandOutput.printJSON(BranchDocument(branch, variants: []))
                } else if !options.quiet {
                    CommandOutput.printLine(String(format: "branch #%lld of asset #%lld at %.3f s: %@", branch.storedID,
                                                   branch.sourceAssetID, branch.branchTime, branch.branchName))
                }
            }
        }
    }

    struct AddVariant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-variant", abstract: "A variant continuation of a branch.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Branch id.") var branch: Int64
        @Argument(help: "The variant's asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String
        @Option(name: .long, help: "A name for people.") var name: String
        @Option(name: .long, help: "A tag (what `branch render --variant` names).") var tag: String?
        @Option(name: .long, help: "Relative weight for random choice.") var weight: Double?
        @Option(name: .long, help: "When the game takes this variant, as JSON.") var conditions: String?

        func validate() throws {
            _ = try LibraryCommandSupport.jsonArgument(conditions, option: "--conditions")
        }

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let variantAsset = try LibraryCommandSupport.resolve(asset, in: store)
                let variant = try store.addVariant(BranchVariant(
                    branchID: branch, variantAssetID: variantAsset.assetID, variantName: name, variantTag: tag, weight: weight,
                    conditions: try LibraryCommandSupport.jsonArgument(conditions, option: "--conditions")))
                if options.json {
                    try CommandOutput.printJSON(BranchDocument.Variant(variant))
                } else if !options.quiet {
                    CommandOutput.printLine("variant #\(variant.storedID) of branch #\(branch): \(name) -> asset #\(variantAsset.assetID)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Branches and variants of an asset.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let branches = try store.branches(of: source.assetID)
                if options.json {
                    try CommandOutput.printJSON(branches.map { BranchDocument($0.branch, variants: $0.variants) })
                } else {
                    for (branch, variants) in branches {
                        CommandOutput.printLine(String(format: "branch #%lld at %.3f s: %@", branch.storedID, branch.branchTime, branch.branchName)
                                                + (branch.branchTag.map { " [\($0)]" } ?? ""))
                        for variant in variants {
                            CommandOutput.printLine("  \(variant.variantTag ?? "-"): \(variant.variantName) -> asset #\(variant.variantAssetID)"
                                                    + (variant.weight.map { " weight \($0)" } ?? ""))
                        }
                    }
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "The branch graph of an asset as the JSON a game loads once.",
            discussion: """
            Every branch point reachable from the asset (its own, then those of its variants' assets, \
            recursively): times, frames, names, tags, types, metadata, and each variant's tag, weight, \
            conditions and continuation, with every asset's duration, file (relative to the file store) and URL. \
            Printed on stdout, or written to FILE whole (never half).
            """
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String
        @Option(name: .shortAndLong, help: "Write the graph to this file instead of stdout.") var output: String?

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let document = BranchGraphDocument(try store.branchGraph(from: source.assetID), files: store.files)
                guard let output else {
                    try CommandOutput.printJSON(document)
                    return
                }
                let destination = try OutputDestination(path: output, inputs: [])
                defer { destination.discardIfUncommitted() }
                try DocumentEncoding.makeEncoder().encode(document).write(to: URL(fileURLWithPath: destination.temporaryPath))
                try destination.commit()
                if !options.quiet && !options.json {
                    let branches = document.assets.map(\.branches.count).reduce(0, +)
                    CommandOutput.printLine("\(output): \(document.assets.count) asset(s), \(branches) branch point(s)")
                }
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "The source up to the branch time followed by a variant, as a new asset with lineage.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Branch id.") var branch: Int64
        @Option(name: .long, help: "The variant's tag (or name).") var variant: String
        @Option(name: .shortAndLong, help: "Output file.") var output: String
        @Flag(name: .long, help: "Drop the variant's first frame when it repeats the frame before the branch point.")
        var trimDuplicateJoins = false

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: "branch \(branch)") {
                let store = try LibraryCommandSupport.openStore(options)
                let editor = LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                                           options: PipelineRunner.Options(stages: PipelineOperations.standard.defaultStages))
                let rendered = try editor.renderBranch(id: branch, variantTag: variant, output: output, trimDuplicateJoins: trimDuplicateJoins)
                if options.json {
                    try CommandOutput.printJSON(RenderDocument(rendered))
                } else if !options.quiet {
                    CommandOutput.printLine("branch #\(branch) variant \(variant) rendered to \(output) (asset #\(rendered.asset.assetID))")
                }
            }
        }
    }
}
