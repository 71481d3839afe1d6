import Foundation
import MediaOps

// The seams between the pipeline and the analysis and editing operations of
// MediaOps. The runner only knows these protocols; `PipelineOperations.standard`
// plugs in MediaOps' real implementations. A stage whose operation this build
// does not have fails with `stage_unavailable`: the pipeline never invents a
// result.

/// Makes a poster frame (the `thumbnail` stage).
public protocol PosterMaking: Sendable {
    /// Writes a JPEG poster of `input` to `output` (a temporary path the runner renames).
    func makePoster(input: String, output: String, decoderThreads: Int) throws -> PosterRecord
}

public struct PosterRecord: Sendable, Codable, Equatable {
    /// Seconds into the video.
    public var time: Double
    public var width: Int
    public var height: Int

    public init(time: Double, width: Int, height: Int) {
        self.time = time
        self.width = width
        self.height = height
    }
}

/// Extracts representative frames (the `keyframes` stage).
public protocol KeyframeExtracting: Sendable {
    /// Writes `count` JPEG images of `input` into `folder` (a temporary folder the runner renames).
    func extractKeyframes(input: String, folder: String, count: Int, decoderThreads: Int) throws -> [KeyframeRecord]
}

public struct KeyframeRecord: Sendable, Codable, Equatable {
    public var index: Int
    public var time: Double
    public var frame: Int
    /// File name inside the keyframes folder.
    public var fileName: String
    public var width: Int
    public var height: Int

    public init(index: Int, time: Double, frame: Int, fileName: String, width: Int, height: Int) {
        self.index = index
        self.time = time
        self.frame = frame
        self.fileName = fileName
        self.width = width
        self.height = height
    }
}

/// Finds temporal segments and their features (the `segments` stage).
public protocol SegmentAnalyzing: Sendable {
    func analyzeSegments(input: String, decoderThreads: Int) throws -> [TemporalSegment]
}

/// Finds seamless loops of a video (the `loops` stage).
public protocol LoopFinding: Sendable {
    func findLoops(input: String, decoderThreads: Int) throws -> [LoopCandidate]
}

/// Makes the poster, the keyframes and the segments of a video from one
/// decode (the three picture stages, when more than one of them is due).
public protocol OnePassAnalyzing: Sendable {
    /// Analyses `input`, writing the poster to `posterOutput` and `keyframeCount`
    /// keyframes into `keyframesFolder` when given (temporary paths the runner renames).
    /// A poster or keyframes the pass could not make are nil: the runner then uses the stage's own operation.
    func analyze(input: String, posterOutput: String?, keyframesFolder: String?, keyframeCount: Int,
                 decoderThreads: Int) throws -> OnePassResult
}

public struct OnePassResult: Sendable {
    public var poster: PosterRecord?
    public var keyframes: [KeyframeRecord]?
    public var segments: [TemporalSegment]

    public init(poster: PosterRecord?, keyframes: [KeyframeRecord]?, segments: [TemporalSegment]) {
        self.poster = poster
        self.keyframes = keyframes
        self.segments = segments
    }
}

/// Cuts a time range out of a file (clip rendering).
public protocol ClipRendering: Sendable {
    /// Writes `[start, end)` of `input` to `output` (a temporary path the runner renames).
    /// - Returns: the range actually written, as JSON-able facts for the lineage edge.
    func renderClip(input: String, start: Double, end: Double, output: String, mode: String) throws -> RenderFacts
}

/// Joins files one after another (branch rendering, compose).
public protocol ConcatRendering: Sendable {
    func concatenate(inputs: [String], output: String, trimDuplicateJoins: Bool) throws -> RenderFacts
}

/// What a render reports, kept as the lineage edge's `transformation`.
public struct RenderFacts: Sendable, Codable, Equatable {
    public var mode: String
    public var actualStart: Double?
    public var actualEnd: Double?
    public var frames: Int?
    public var durationSec: Double?

    public init(mode: String, actualStart: Double? = nil, actualEnd: Double? = nil, frames: Int? = nil, durationSec: Double? = nil) {
        self.mode = mode
        self.actualStart = actualStart
        self.actualEnd = actualEnd
        self.frames = frames
        self.durationSec = durationSec
    }
}

/// The operations a runner can call; nil where this build has none.
public struct PipelineOperations: Sendable {
    public var poster: (any PosterMaking)?
    public var keyframes: (any KeyframeExtracting)?
    public var segments: (any SegmentAnalyzing)?
    public var clips: (any ClipRendering)?
    public var concat: (any ConcatRendering)?
    /// The three picture stages in one decode; used when segments and at least
    /// one of thumbnail and keyframes are due on an asset.
    public var onePass: (any OnePassAnalyzing)?
    public var loops: (any LoopFinding)?
    /// How many keyframes the keyframes stage extracts.
    public var keyframeCount: Int

    public init(poster: (any PosterMaking)? = nil, keyframes: (any KeyframeExtracting)? = nil,
                segments: (any SegmentAnalyzing)? = nil, clips: (any ClipRendering)? = nil,
                concat: (any ConcatRendering)? = nil, onePass: (any OnePassAnalyzing)? = nil,
                loops: (any LoopFinding)? = nil, keyframeCount: Int = 5) {
        self.loops = loops
        self.poster = poster
        self.keyframes = keyframes
        self.segments = segments
        self.clips = clips
        self.concat = concat
        self.onePass = onePass
        self.keyframeCount = keyframeCount
    }

    /// Whether this build can run `stage` (each stage's type says: ``AssetStage/isProvided(by:)``).
    public func provides(_ stage: PipelineStage) -> Bool {
        stage.definition?.isProvided(by: self) ?? true
    }

    /// The stages run when none are asked for: every stage this build has, but those asked for by name
    /// only (``AssetStage/runsByDefault``).
    public var defaultStages: [PipelineStage] {
        PipelineStage.allCases.filter { provides($0) && ($0.definition?.runsByDefault ?? true) }
    }
}
