import ArgumentParser
import Foundation
import MediaCore
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

    @Option(help: "Write the best loop to this file: a frame-exact cut of its range, with a short crossfade at the seam unless the seam is invisible (PSNR >= 40 dB).")
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
        var rendered: LoopRenderer.Result?
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            let search = LoopSearch(minimumLength: minLength, maximumLength: maxLength, maximumResults: count)
            let analysis = try VideoAnalyzer.analyze(path: file, options: AnalysisOptions(loops: search))
            var rendered: LoopRenderer.Result?
            if let render {
                guard let best = analysis.loops.first else {
                    throw MediaError(path: file, code: .invalidArgument,
                                     message: "no seamless loop between \(minLength) and \(maxLength) s; nothing was written")
                }
                rendered = try LoopRenderer.render(best, input: file, output: render, fps: analysis.fps, frameCount: analysis.frameCount)
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
                    let seam = rendered.method == "copy" ? "copied, its seam invisible"
                        : "a \(rendered.crossfadeFrames)-frame crossfade at the seam (\(String(format: "%.2f", rendered.seamPSNR)) dB before)"
                    CommandOutput.printLine("wrote \(DisplayText.escaped(rendered.output)): the best loop, \(rendered.frames.map(String.init) ?? "?") frames, \(seam)")
                }
            }
        }
    }
}
