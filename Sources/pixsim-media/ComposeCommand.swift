import ArgumentParser
import Foundation
import MediaDocuments
import MediaLibrary
import MediaOps
import MediaPipeline

/// `pixsim-media compose ASSET... -o OUT` and `compose --timeline T.json -o OUT [--export otio|edl]`.
struct ComposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Concatenate assets, or render a timeline of asset ranges, segments and clips with transitions, as a new asset with lineage."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The assets in order: ids, SHA-256 prefixes or paths of files (without --timeline).") var assets: [String] = []
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(name: .long, help: "A timeline JSON file (items, transitions, target size/fps/pix_fmt); see README.") var timeline: String?
    @Option(name: .long, help: "Also write the timeline beside OUT as OUT's name with .otio or .edl (otio|edl).")
    var export: String?
    @Flag(name: .long, help: "Drop an input's first frame when it repeats the previous input's last frame.")
    var trimDuplicateJoins = false
    @Option(name: .long, help: "Pipeline stages to run on the new asset (comma-separated; default: this build's default stages).")
    var stages: String?

    func validate() throws {
        if timeline != nil {
            if !assets.isEmpty { throw ValidationError("give either --timeline or assets, not both") }
            if trimDuplicateJoins { throw ValidationError("--trim-duplicate-joins does not apply to --timeline") }
            if let export, TimelineExport.Format(rawValue: export) == nil { throw ValidationError("--export must be otio or edl, not '\(export)'") }
        } else {
            if export != nil { throw ValidationError("--export needs --timeline") }
            if assets.count < 2 { throw ValidationError("give at least two assets to compose, or --timeline") }
        }
    }

    func run() async throws {
        options.configureLogging()
        if let timeline {
            try await runTimeline(timeline)
            return
        }
        try await CommandOutput.run(json: options.json, subject: output) {
            let store = try LibraryCommandSupport.openStore(options)
            var ids: [Int64] = []
            for reference in assets { ids.append(try LibraryCommandSupport.resolve(reference, in: store).assetID) }
            let rendered = try makeEditor(store).compose(assetIDs: ids, output: output, trimDuplicateJoins: trimDuplicateJoins)
            if options.json {
                try CommandOutput.printJSON(RenderDocument(rendered))
            } else if !options.quiet {
                CommandOutput.printLine("composed \(ids.count) assets into \(output) (asset #\(rendered.asset.assetID))")
            }
        }
    }

    private func makeEditor(_ store: any LibraryStore) throws -> LibraryEditor {
        LibraryEditor(runner: LibraryCommandSupport.makeRunner(store),
                      options: PipelineRunner.Options(stages: try LibraryCommandSupport.stages(stages)))
    }

    private func runTimeline(_ path: String) async throws {
        try await CommandOutput.run(json: options.json, subject: output) {
            let document = try TimelineDocument.load(path: path)
            let store = try LibraryCommandSupport.openStore(options)
            let editor = try makeEditor(store)
            let resolved = try editor.resolve(document, timelinePath: path)
            let format = export.flatMap(TimelineExport.Format.init(rawValue:))
            let exportPath = format.map { URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension($0.rawValue).path }
            if let exportPath {
                // Refused before rendering, so that a bad export path leaves no rendered output either.
                _ = try OutputDestination(path: exportPath, inputs: resolved.items.map(\.path) + [output])
            }
            let (rendered, result) = try editor.composeTimeline(resolved, timelinePath: path, output: output)
            if let format, let exportPath {
                let name = URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
                try TimelineExport.write(format, timeline: resolved, result: result, name: name, to: exportPath)
            }
            if options.json {
                try CommandOutput.printJSON(TimelineRenderDocument(assetID: rendered.asset.assetID, export: exportPath, result: result))
            } else if !options.quiet {
                CommandOutput.printLine("composed \(resolved.items.count) timeline items into \(output): \(result.frames) frames, "
                                        + "\(result.copiedFrames) copied, \(result.reencodedFrames) re-encoded (asset #\(rendered.asset.assetID))"
                                        + (exportPath.map { "; \($0)" } ?? ""))
                for warning in result.warnings { CommandOutput.printWarning(path: output, message: warning) }
            }
        }
    }
}

/// `compose --timeline --json`: the new asset, the export written, and how the render went.
struct TimelineRenderDocument: Encodable {
    var assetID: Int64
    var export: String?
    var result: TimelineResult
    enum CodingKeys: String, CodingKey { case assetID = "asset_id", export, result = "render" }
}
