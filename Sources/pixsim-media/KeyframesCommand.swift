import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media keyframes FILE --out DIR [--count N] [--strategy ...] [--width W] [--format jpg|png]`.
struct KeyframesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyframes",
        abstract: "Write N representative frames of a video as images.",
        discussion: """
        uniform: N evenly spread frames, each moved off black, blurred or mid-fade pictures. \
        scenes: one per shot (the longest N shots). iframes: the container's keyframes only. \
        Images are upright (rotation and pixel aspect applied). With --json prints \
        {"path", "keyframes": [{"index", "time", "frame", "path", "width", "height"}]}.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The video.")
    var file: String

    @Option(name: .long, help: "Folder for the images (created if its parent exists).")
    var out: String

    @Option(name: .long, help: "Number of images.")
    var count = 5

    @Option(name: .long, help: "uniform, scenes or iframes.")
    var strategy: KeyframeStrategy = .uniform

    @Option(name: .long, help: "Image width in pixels (default: the video's display width).")
    var width: Int?

    @Option(name: .long, help: "jpg or png.")
    var format: ImageFormat = .jpeg

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        if let width, width < 16 { throw ValidationError("--width must be at least 16") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            let request = KeyframeRequest(count: count, strategy: strategy, width: width, format: format)
            let result = try KeyframeExtractor.extract(file, into: out, request: request)
            if options.json {
                try CommandOutput.printJSON(result)
            } else if !options.quiet {
                for keyframe in result.keyframes {
                    CommandOutput.printLine(String(format: "%@  %9.3f s  frame %d  %dx%d", keyframe.path, keyframe.time, keyframe.frame,
                                                   keyframe.width, keyframe.height))
                }
            }
        }
    }
}

extension KeyframeStrategy: ExpressibleByArgument {}

extension ImageFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
}
