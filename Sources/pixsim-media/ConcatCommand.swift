import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media concat FILE... -o OUT [--mode auto|copy|reencode] [--trim-duplicate-joins]`: one video from several.
struct ConcatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concat",
        abstract: "Join media files one after another into one video.",
        discussion: """
        auto copies when every input agrees with the first on codec, profile, size, pixel format, aspect, frame rate \
        and audio format, else re-encodes (and says why). copy refuses inputs that differ, naming the difference. \
        reencode fits every input into one size (black bars keep the aspect), one frame rate and one audio format, \
        with silence for inputs without sound.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The files to join, in order.")
    var files: [String]

    @Option(name: [.short, .customLong("output")], help: "The file to write (its extension picks the container).")
    var output: String

    @Option(name: .long, help: "auto, copy or reencode.")
    var mode: ConcatMode = .auto

    @Flag(name: .long, help: "Drop an input's first frame when it repeats the previous input's last frame.")
    var trimDuplicateJoins = false

    @Option(name: .long, help: "Output size WxH when re-encoding (default: the first input's).")
    var size: String?

    @Option(name: .long, help: "Output frame rate when re-encoding (default: the first input's).")
    var fps: Double?

    @Option(name: .long, help: "x264 constant rate factor when re-encoding (0-51).")
    var crf: Int = 18

    @Option(name: .long, help: "x264 preset when re-encoding (ultrafast ... veryslow).")
    var preset: String = "medium"

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to join") }
        if let size, PictureSize(size) == nil { throw ValidationError("--size '\(size)' is not WxH (for example 1280x720)") }
    }

    func run() async throws {
        options.configureLogging()
        let request = ConcatRequest(inputs: files, output: output, mode: mode, trimDuplicateJoins: trimDuplicateJoins,
                                    size: size.flatMap(PictureSize.init), frameRate: fps,
                                    quality: EncodingQuality(crf: crf, preset: preset))
        let showsProgress = options.showsProgress
        try await CommandOutput.run(json: options.json, subject: output) {
            let result = try Concatenator.concat(request) { fraction in
                if showsProgress { CommandOutput.printProgress(String(format: "concat %3.0f%%", fraction * 100)) }
            }
            if showsProgress { CommandOutput.printProgress("") }
            if options.json {
                try CommandOutput.printJSON(result)
            } else if !options.quiet {
                var line = String(format: "%@: %@ of %d inputs, %d frames, %.3f s", result.output, result.modeUsed.rawValue,
                                  result.inputs.count, result.frames, result.durationSec)
                if let reason = result.reason { line += " (re-encoded: \(reason))" }
                CommandOutput.printLine(line)
            }
            if !options.quiet { for warning in result.warnings { CommandOutput.printWarning(path: output, message: warning) } }
        }
    }
}

extension ConcatMode: ExpressibleByArgument {}
