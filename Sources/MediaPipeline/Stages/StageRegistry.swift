/// The pipeline's stages: the one list of them, in the order they run on an
/// asset (after ``PipelineStage/sync``, which always runs first).
///
/// Adding a stage is one new type conforming to ``AssetStage`` (its name,
/// version, needs, what it records and its work) and one line here. Nothing
/// else lists the stages: `--stages`, the default stages of a build, the
/// stage states of `assets show`, the batch JSON all read this list.
enum StageRegistry {
    static let assetStages: [any AssetStage.Type] = [
        ProbeStage.self,
        ThumbnailStage.self,
        KeyframesStage.self,
        SegmentsStage.self,
        LoopsStage.self,
        VariantsStage.self,
    ]
}
