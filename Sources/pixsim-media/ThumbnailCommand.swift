import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media thumbnail FILE -o OUT.jpg [--width W] [--at SECONDS]`.
struct ThumbnailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thumbnail",
        abstract: "Write one poster frame of a video: a good frame near the first third, or the frame shown at --at.",
        discussion: "JPEG, or PNG when OUT ends in .png. With --json prints {\"path\", \"output\", \"time\", \"frame\", \"width\", \"height\"}."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The video.")
    var file: String

    @Option(name: .shortAndLong, help: "The image to write.")
    var output: String

    @Option(name: .long, help: "Image width in pixels (default: the video's display width).")
    var width: Int?

    @Option(name: .long, help: "Take exactly the frame shown at this time (seconds or HH:MM:SS.mmm).")
    var at: String?

    func validate() throws {
        if let width, width < 16 { throw ValidationError("--width must be at least 16") }
        if let at, TimeParsing.seconds(at) == nil { throw ValidationError("--at '\(at)' is not a time: \(TimeParsing.acceptedForms)") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            let poster = try PosterFrame.write(file, to: output, width: width, at: at.flatMap(TimeParsing.seconds))
            if options.json {
                try CommandOutput.printJSON(poster)
            } else if !options.quiet {
                CommandOutput.printLine(String(format: "%@  %.3f s  frame %d  %dx%d", poster.output, poster.time, poster.frame,
                                               poster.width, poster.height))
            }
        }
    }
}
