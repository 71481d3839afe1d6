import ArgumentParser
import Foundation
import MediaDocuments
import MediaOps

/// `pixsim-media segments FILE [--threshold X] [--min-length SECONDS] [--thumbnails DIR]`:
/// temporal segments (shots, fades, dissolves) with their features.
struct SegmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segments",
        abstract: "Find the shots of a video (cuts, fades, dissolves) with brightness, colours, camera motion and hashes.",
        discussion: "Decodes the video once. Times are seconds from the file's start; frames are 0-based, end_frame exclusive."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Smallest picture change for a hard cut (mean absolute difference of small pictures, 0-255; lower finds more cuts).")
    var threshold: Double = AnalysisOptions().threshold

    @Option(name: .customLong("min-length"), help: "Shortest segment in seconds.")
    var minLength: Double = AnalysisOptions().minimumLength

    @Option(help: "Write each segment's representative frame into this folder as seg_000.jpg, ...")
    var thumbnails: String?

    @Argument(help: "The video to analyse.")
    var file: String

    func validate() throws {
        guard threshold > 0, threshold <= 255 else { throw ValidationError("--threshold must be in (0, 255]") }
        guard minLength >= 0, minLength.isFinite else { throw ValidationError("--min-length must be 0 or more seconds") }
    }

    func run() async throws {
        options.configureLogging()
        try await CommandOutput.run(json: options.json, subject: file) {
            var analysis = try VideoAnalyzer.analyze(path: file, options: AnalysisOptions(threshold: threshold, minimumLength: minLength))
            if let thumbnails { analysis = try SegmentThumbnails.write(analysis, into: thumbnails) }
            if options.json {
                try CommandOutput.printJSON(SegmentsDocument(analysis))
            } else if !options.quiet {
                CommandOutput.printLine(String(format: "%@: %d frames, %.3f fps, %.3f s, %d segments",
                                               file, analysis.frameCount, analysis.fps, analysis.durationSec, analysis.segments.count))
                for warning in analysis.warnings { CommandOutput.printLine("  warning: \(warning)") }
                for s in analysis.segments {
                    let colours = s.dominantColors.map { "\($0.hex) \(Int(($0.weight * 100).rounded()))%" }.joined(separator: ", ")
                    var line = String(format: "  #%d %@ frames %d-%d (%.3f-%.3f s) brightness %.2f, %@ %.3f, ",
                                      s.index, s.transitionIn.rawValue, s.startFrame, s.endFrame, s.startTime, s.endTime,
                                      s.brightness, s.cameraMotion.rawValue, s.motionMagnitude)
                    line += "colours [\(colours)], hashes \(s.startHash)/\(s.endHash)"
                    if let t = s.thumbnail { line += ", \(t)" }
                    CommandOutput.printLine(line)
                }
            }
        }
    }
}

/// The `segments --json` document (SPEC section 4).
struct SegmentsDocument: Encodable {
    var path: String
    var fps: Double
    var frameCount: Int
    var durationSec: Double
    /// The domain values as they are: their Codable form is the JSON shape.
    var segments: [TemporalSegment]
    /// Damaged data met (absent when there was none).
    var warnings: [String]?

    init(_ analysis: VideoAnalysis) {
        path = analysis.path
        fps = analysis.fps
        frameCount = analysis.frameCount
        durationSec = analysis.durationSec
        segments = analysis.segments
        warnings = analysis.warnings.isEmpty ? nil : analysis.warnings
    }
}
