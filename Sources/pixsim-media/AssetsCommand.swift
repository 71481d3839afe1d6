import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media assets list|show`.
struct AssetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "Look at the library's assets.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Assets, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(name: .long, help: "Only this media type: video, image or audio.")
        var type: String?

        @Option(name: .long, help: "At most this many.")
        var limit: Int?

        func validate() throws {
            if let type, !["video", "image", "audio", "other"].contains(type) {
                throw ValidationError("--type must be video, image or audio")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
                let store = try LibraryCommandSupport.openStore(options)
                let assets = try store.assets(mediaType: type, limit: limit)
                if options.json {
                    try CommandOutput.printJSON(assets.map(AssetDocument.init))
                } else {
                    for asset in assets { CommandOutput.printLine(AssetDocument.line(asset)) }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "One asset with its metadata, segments, clips, branches, lineage and pipeline runs.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.")
        var asset: String

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let found = try LibraryCommandSupport.resolve(asset, in: store)
                let document = try AssetDetailDocument(found, store: store)
                if options.json { try CommandOutput.printJSON(document) } else { CommandOutput.printLine(document.text) }
            }
        }
    }
}
