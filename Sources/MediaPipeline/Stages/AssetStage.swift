import Foundation
import MediaLibrary

/// A stage of the pipeline that runs on an asset already in the library: one
/// type per stage declares everything the runner needs to know about it.
///
/// The runner opens a `stage_runs` row, calls ``perform(_:)``, and closes the
/// row as failed if it throws; ``perform(_:)`` writes the stage's results and
/// its completion in one transaction (`completeStageRun(id:...)`), so a killed
/// run either did a stage or did not. Register a new stage in ``StageRegistry``.
protocol AssetStage: Sendable {
    /// How `--stages`, `stage_runs.stage` and JSON name the stage.
    static var name: String { get }
    /// Bumped when the stage's output changes: its work is done once per asset and version.
    static var version: Int { get }
    /// Stages that must be done on the asset before this one (they are added
    /// to `--stages` when missing, and run first).
    static var needs: [PipelineStage] { get }
    /// What the stage records, for people reading the code and the README
    /// (a table, columns of `assets`, files beside the stored file).
    static var records: String { get }
    /// Whether the stage works on this kind of media (`video`, `image`, `audio`,
    /// `other`); on any other it is recorded `not_applicable`.
    static func applies(to mediaType: String) -> Bool
    /// How the stage relates to the one decode of a video shared by the picture stages.
    static var analysisPass: AnalysisPassUse { get }
    /// Whether this build's operations can do the stage (a stage that cannot is
    /// left out of the default stages, and fails with `stage_unavailable` if asked for).
    static func isProvided(by operations: PipelineOperations) -> Bool
    /// Whether the stage is among the default stages; one that costs a decode of its own for a result
    /// few assets need runs only when named in `--stages`.
    static var runsByDefault: Bool { get }

    init()

    /// Does the stage's work on `job.asset` and records it.
    /// - Returns: the status recorded (`succeeded`, or `superseded` when another process did it first).
    func perform(_ job: inout StageJob) throws -> RunStatus
}

/// How a stage uses the decode pass the picture stages share (``AnalysisPass``).
enum AnalysisPassUse: Sendable {
    /// Does not decode pictures.
    case none
    /// Decodes the whole video anyway: when it is due with any other pass
    /// user, one pass makes all their results.
    case wholeVideo
    /// Seeks to a few frames on its own; takes them from the pass when one is made.
    case stills
}

extension AssetStage {
    static var needs: [PipelineStage] { [] }
    static var analysisPass: AnalysisPassUse { .none }
    static func applies(to mediaType: String) -> Bool { mediaType == "video" }
    static func isProvided(by operations: PipelineOperations) -> Bool { true }
    static var runsByDefault: Bool { true }
}

/// One stage's work on one asset: what a stage's ``AssetStage/perform(_:)`` works with.
struct StageJob {
    let runner: PipelineRunner
    let asset: Asset
    /// The stored file.
    let input: String
    /// The `stage_runs` row to complete.
    let stageRunID: Int64
    /// What earlier stages of the same run learnt (the probe, the shared pass).
    var context: PipelineRunner.SyncContext

    var store: any LibraryStore { runner.store }
    var operations: PipelineOperations { runner.operations }
    var decoderThreads: Int { runner.decoderThreads }

    /// The shared decode's results, made by the first stage that asks; nil when
    /// nothing is shared (see ``PipelineRunner/sharedPass(asset:input:context:)``).
    mutating func analysisPass() throws -> (result: OnePassResult, poster: URL?, keyframes: URL?)? {
        try runner.sharedPass(asset: asset, input: input, context: &context)
    }

    /// The error for a stage whose operation this build does not have.
    func unavailable(_ stage: String, needs: String) -> PipelineError {
        PipelineError(subject: stage, code: .stageUnavailable,
                      message: "stage '\(stage)' is not available in this build (its operation, \(needs), is not built in)")
    }
}
