import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media clips create|list|render`.
struct ClipsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clips",
        abstract: "Clip bookmarks: time ranges of an asset, rendered as new assets on demand.",
        subcommands: [Create.self, List.self, Render.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Bookmark [start, end) of an asset; with --render, also make it a new asset with lineage.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String
        @Option(name: .long, help: "Start (seconds or HH:MM:SS.mmm).") var start: String
        @Option(name: .long, help: "End, exclusive (seconds or HH:MM:SS.mmm).") var end: String
        @Option(name: .long, help: "A name for people.") var name: String?
        @Option(name: .long, help: "A tag for tools.") var tag: String?
        @Flag(name: .long, help: "Render the clip now as a new asset.") var render = false
        @Option(name: .long, help: "Render mode: copy, exact or smart.") var mode: String = "smart"

        func validate() throws {
            let startSeconds = try LibraryCommandSupport.seconds(start, option: "--start")
            let endSeconds = try LibraryCommandSupport.seconds(end, option: "--end")
            if endSeconds <= startSeconds { throw ValidationError("--end must be after --start") }
            if !["copy", "exact", "smart"].contains(mode) { throw ValidationError("--mode must be copy, exact or smart") }
        }

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                if render && PipelineOperations.standard.clips == nil {
                    // Refuse before bookmarking, so a failed --render leaves nothing behind.
                    throw PipelineError(subject: "clip rendering", code: .stageUnavailable,
                                        message: "clip rendering is not available in this build (it needs the editing (clip) operation)")
                }
                let clip = try store.createClip(AssetClip(
                    sourceAssetID: source.assetID, startTime: try LibraryCommandSupport.seconds(start, option: "--start"),
                    endTime: try LibraryCommandSupport.seconds(end, option: "--end"), clipName: name, clipTag: tag))
                var rendered: LibraryEditor.Rendered?
                if render {
                    let editor = LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                                               options: PipelineRunner.Options(stages: PipelineOperations.standard.defaultStages))
                    rendered = try editor.renderNewClip(id: clip.storedID, mode: mode)
                }
                let final = try store.clip(id: clip.storedID) ?? clip
                if options.json {
                    try CommandOutput.printJSON(ClipDocument(final, rendered: rendered))
                } else if !options.quiet {
                    CommandOutput.printLine(ClipDocument.line(final))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The clips of an asset.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The asset: its id, a SHA-256 prefix, or the path of a file.") var asset: String

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: asset) {
                let store = try LibraryCommandSupport.openStore(options)
                let source = try LibraryCommandSupport.resolve(asset, in: store)
                let clips = try store.clips(of: source.assetID)
                if options.json {
                    try CommandOutput.printJSON(clips.map { ClipDocument($0, rendered: nil) })
                } else {
                    for clip in clips { CommandOutput.printLine(ClipDocument.line(clip)) }
                }
            }
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render", abstract: "Render a clip bookmark as a new asset with lineage.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Clip id.") var clip: Int64
        @Option(name: .long, help: "Render mode: copy, exact or smart.") var mode: String = "smart"

        func validate() throws {
            if !["copy", "exact", "smart"].contains(mode) { throw ValidationError("--mode must be copy, exact or smart") }
        }

        func run() async throws {
            options.configureLogging()
            try await CommandOutput.run(json: options.json, subject: "clip \(clip)") {
                let store = try LibraryCommandSupport.openStore(options)
                let editor = LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                                           options: PipelineRunner.Options(stages: PipelineOperations.standard.defaultStages))
                let rendered = try editor.renderClip(id: clip, mode: mode)
                let final = try store.clip(id: clip)
                if options.json, let final {
                    try CommandOutput.printJSON(ClipDocument(final, rendered: rendered))
                } else if !options.quiet {
                    CommandOutput.printLine("clip #\(clip) rendered as asset #\(rendered.asset.assetID): \(rendered.outputPath)")
                }
            }
        }
    }
}
