import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media clip FILE --start S --end E -o OUT [--mode copy|exact|smart]`: cut `[S, E)` out of FILE.
struct ClipCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Cut the time range [start, end) out of a media file.",
        discussion: """
        copy: no re-encoding; MP4/MOV outputs present exactly the frames in the range (an edit list hides the \
        pre-roll from the keyframe before the start); other containers start at that keyframe, and "actual" says so. \
        exact: re-encoded with libx264, exactly the frames in the range, audio trimmed to the sample. \
        smart: only the head up to the first keyframe is re-encoded, the rest is copied; falls back to exact \
        (and says why) when that cannot be done safely.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The media file to cut.")
    var file: String

    @Option(name: .long, help: "Start of the range: seconds (12.5) or HH:MM:SS.mmm.")
    var start: String

    @Option(name: .long, help: "End of the range (exclusive): seconds or HH:MM:SS.mmm.")
    var end: String

    @Option(name: [.short, .customLong("output")], help: "The file to write (its extension picks the container).")
    var output: String

    @Option(name: .long, help: "copy, exact or smart.")
    var mode: ClipMode = .copy

    @Option(name: .long, help: "x264 constant rate factor for re-encoded video (0-51).")
    var crf: Int = 18

    @Option(name: .long, help: "x264 preset for re-encoded video (ultrafast ... veryslow).")
    var preset: String = "medium"

    func validate() throws {
        guard TimeParsing.seconds(start) != nil else { throw ValidationError("--start '\(start)' is not a time: \(TimeParsing.acceptedForms)") }
        guard TimeParsing.seconds(end) != nil else { throw ValidationError("--end '\(end)' is not a time: \(TimeParsing.acceptedForms)") }
    }

    func run() async throws {
        options.configureLogging()
        let request = ClipRequest(input: file, output: output, start: TimeParsing.seconds(start) ?? 0, end: TimeParsing.seconds(end) ?? 0,
                                  mode: mode, quality: EncodingQuality(crf: crf, preset: preset))
        let showsProgress = options.showsProgress
        try await CommandOutput.run(json: options.json, subject: file) {
            let result = try Clipper.clip(request) { fraction in
                if showsProgress { CommandOutput.printProgress(String(format: "clip %3.0f%%", fraction * 100)) }
            }
            if showsProgress { CommandOutput.printProgress("") }
            if options.json {
                try CommandOutput.printJSON(result)
            } else if !options.quiet {
                var line = String(format: "%@: %@ clip, %d frames, %.3f s to %.3f s", result.output, result.mode.rawValue,
                                  result.actual.frames, result.actual.start, result.actual.end)
                if let fallback = result.fallback { line += " (smart cut not used: \(fallback))" }
                CommandOutput.printLine(line)
            }
            if !options.quiet { for warning in result.warnings { CommandOutput.printWarning(path: file, message: warning) } }
        }
    }
}

extension ClipMode: ExpressibleByArgument {}
