import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media loops FILE [--min-length S] [--max-length S] [--count N]`: seamless loop ranges (SPEC section 9).
struct LoopsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loops",
        abstract: "Find ranges of a video that play seamlessly on repeat (game idle loops), best first.",
        discussion: """
        From the same single decode as `segments`: a range [start, end) is a loop when the frame it returns to \
        looks like the frame it replaces and the motion goes on as before (seam no larger than half a typical \
        frame step; still pictures are not loops). Frames are 0-based, end_frame exclusive; seam_psnr is measured \
        on the analysis picture.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .customLong("min-length"), help: "Shortest loop in seconds (default 1).")
    var minLength: Double = 1

    @Option(name: .customLong("max-length"), help: "Longest loop in seconds (default 10).")
    var maxLength: Double = 10

    @Option(help: "At most this many loops (default 5).")
    var count: Int = 5

    @Option(help: "Write the best loop to this file: its frames re-encoded exactly (a frame-exact cut of its range).")
    var render: String?

    @Argument(help: "The video to search.")
    var file: String

    func validate() throws {
        guard minLength > 0, minLength.isFinite, maxLength.isFinite, maxLength >= minLength, maxLength <= 3600 else {
            throw ValidationError("--min-length and --max-length must be seconds with 0 < min <= max <= 3600")
        }
        guard (1...100).contains(count) else { throw ValidationError("--count must be between 1 and 100") }
    }

    struct Document: Encodable {
        var path: String
        var fps: Double
        var frameCount: Int
        var loops: [LoopCandidate]
        var rendered: Rendered?
        struct Rendered: Encodable {
            var output: String
            var frames: Int?
            var startTime: Double
            var endTime: Double
        }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            let search = LoopSearch(minimumLength: minLength, maximumLength: maxLength, maximumResults: count)
            let analysis = try VideoAnalyzer.analyze(path: file, options: AnalysisOptions(loops: search))
            var rendered: Document.Rendered?
            if let render {
                guard let best = analysis.loops.first else {
                    throw MediaError(path: file, code: .invalidArgument,
                                     message: "no seamless loop between \(minLength) and \(maxLength) s; nothing was written")
                }
                let result = try Clipper.clip(ClipRequest(input: file, output: render, start: best.startTime, end: best.endTime, mode: .exact))
                rendered = Document.Rendered(output: render, frames: result.actual.frames, startTime: result.actual.start, endTime: result.actual.end)
            }
            if options.json {
                try CommandOutput.printJSON(Document(path: file, fps: analysis.fps, frameCount: analysis.frameCount, loops: analysis.loops,
                                                     rendered: rendered))
            } else if !options.quiet {
                CommandOutput.printLine("\(file): \(analysis.loops.count) loop(s)")
                for loop in analysis.loops {
                    CommandOutput.printLine(String(format: "  frames %d-%d (%.3f-%.3f s, %d frames) score %.3f, seam PSNR %.2f dB",
                                                   loop.startFrame, loop.endFrame, loop.startTime, loop.endTime,
                                                   loop.endFrame - loop.startFrame, loop.score, loop.seamPSNR))
                }
                if let rendered {
                    CommandOutput.printLine("wrote \(rendered.output): the best loop, \(rendered.frames.map(String.init) ?? "?") frames")
                }
            }
        }
    }
}
