import Foundation
import MediaOps

/// The operations of this build: MediaOps' implementations behind the
/// pipeline's seams (`StageOperations.swift`).
extension PipelineOperations {
    public static var standard: PipelineOperations {
        PipelineOperations(poster: LibraryPoster(), keyframes: LibraryKeyframes(), segments: LibrarySegments(),
                           clips: LibraryClipper(), concat: LibraryConcatenator(), onePass: LibraryOnePass(),
                           loops: LibraryLoops())
    }
}

/// Seamless loops through ``VideoAnalyzer``'s pass with a loop search (1-10 s loops, the best five).
struct LibraryLoops: LoopFinding {
    func findLoops(input: String, decoderThreads: Int) throws -> [LoopCandidate] {
        try VideoAnalyzer.analyze(path: input, options: AnalysisOptions(threads: decoderThreads, loops: LoopSearch())).loops
    }
}

/// Library posters: ``PosterFrame`` at 640 pixels wide, enough for a grid
/// or a detail page without storing a full-size copy of a frame.
struct LibraryPoster: PosterMaking {
    var width = 640

    func makePoster(input: String, output: String, decoderThreads: Int) throws -> PosterRecord {
        let poster = try PosterFrame.write(input, to: output, width: width)
        return PosterRecord(time: poster.time, width: poster.width, height: poster.height)
    }
}

/// Library keyframes: ``KeyframeExtractor``'s uniform strategy (moved off
/// black, blurred and mid-fade frames), JPEG, 640 pixels wide.
struct LibraryKeyframes: KeyframeExtracting {
    var width = 640

    func extractKeyframes(input: String, folder: String, count: Int, decoderThreads: Int) throws -> [KeyframeRecord] {
        let set = try KeyframeExtractor.extract(input, into: folder,
                                                request: KeyframeRequest(count: count, strategy: .uniform, width: width, format: .jpeg))
        return set.keyframes.map(KeyframeRecord.init)
    }
}

/// Clip rendering through ``Clipper``.
struct LibraryClipper: ClipRendering {
    func renderClip(input: String, start: Double, end: Double, output: String, mode: String) throws -> RenderFacts {
        guard let clipMode = ClipMode(rawValue: mode) else {
            throw MediaError(path: input, code: .invalidArgument, message: "unknown clip mode '\(mode)'")
        }
        let result = try Clipper.clip(ClipRequest(input: input, output: output, start: start, end: end, mode: clipMode))
        return RenderFacts(mode: result.mode.rawValue, actualStart: result.actual.start, actualEnd: result.actual.end,
                           frames: result.actual.frames, durationSec: result.actual.end - result.actual.start)
    }
}

/// Concatenation through ``Concatenator`` (`auto`: copy when the inputs
/// agree, else re-encode to the first input's format).
struct LibraryConcatenator: ConcatRendering {
    func concatenate(inputs: [String], output: String, trimDuplicateJoins: Bool) throws -> RenderFacts {
        let result = try Concatenator.concat(ConcatRequest(inputs: inputs, output: output, mode: .auto, trimDuplicateJoins: trimDuplicateJoins))
        return RenderFacts(mode: result.modeUsed.rawValue, frames: result.frames, durationSec: result.durationSec)
    }
}

/// Temporal segments through ``VideoAnalyzer``: one decode pass, the default
/// threshold and minimum length of the `segments` command, on the job's share of the cores.
struct LibrarySegments: SegmentAnalyzing {
    func analyzeSegments(input: String, decoderThreads: Int) throws -> [TemporalSegment] {
        try VideoAnalyzer.analyze(path: input, options: AnalysisOptions(threads: decoderThreads)).segments
    }
}

/// Poster, keyframes and segments from one ``VideoAnalyzer`` decode, with the
/// sizes and choices of ``LibraryPoster``, ``LibraryKeyframes`` and ``LibrarySegments``.
struct LibraryOnePass: OnePassAnalyzing {
    var width = 640

    func analyze(input: String, posterOutput: String?, keyframesFolder: String?, keyframeCount: Int,
                 decoderThreads: Int) throws -> OnePassResult {
        let request = StillsRequest(posterPath: posterOutput, keyframesFolder: keyframesFolder, keyframeCount: keyframeCount,
                                    width: width, keyframeFormat: .jpeg)
        let (analysis, stills) = try VideoAnalyzer.analyze(path: input, options: AnalysisOptions(threads: decoderThreads), stills: request)
        return OnePassResult(
            poster: stills.poster.map { PosterRecord(time: $0.time, width: $0.width, height: $0.height) },
            keyframes: stills.keyframes.map { $0.keyframes.map(KeyframeRecord.init) },
            segments: analysis.segments)
    }
}

extension KeyframeRecord {
    init(_ keyframe: Keyframe) {
        self.init(index: keyframe.index, time: keyframe.time, frame: keyframe.frame,
                  fileName: URL(fileURLWithPath: keyframe.path).lastPathComponent, width: keyframe.width, height: keyframe.height)
    }
}
