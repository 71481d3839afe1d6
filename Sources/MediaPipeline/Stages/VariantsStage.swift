import Foundation
import MediaLibrary
import MediaOps

/// The web version of a video (`variants create --type compressed` with its defaults: at most 720
/// lines, H.264 CRF 23, index first) for every asset a batch or worker runs it on, so the gallery
/// and `serve`'s player have a light file without a command per asset. Asked for by name
/// (`--stages variants`): it re-encodes the whole video, the most expensive stage there is.
///
/// The rendition is an asset of its own (synced and probed, not put through this stage again) with
/// its `asset_variants` row and `variant_source` lineage edge, exactly as the command makes it;
/// one made before with the same parameters is found again, not rendered twice.
struct VariantsStage: AssetStage {
    static let name = "variants"
    static let version = 1
    static let records = "asset_variants (the web version, an asset of its own, with a variant_source lineage edge)"
    static let runsByDefault = false

    /// What the stage makes: the compressed rendition at its defaults.
    static let rendition = Rendition.compressed(height: 720, quality: EncodingQuality(crf: Rendition.defaultCompressedCRF))

    func perform(_ job: inout StageJob) throws -> RunStatus {
        let assetID = job.asset.assetID
        // The rendition is ingested with the sync and probe stages only: a variant of a variant is not wanted.
        let editor = LibraryEditor(runner: job.runner, options: PipelineRunner.Options(stages: [.probe]))
        let outcome = try editor.createVariant(assetID: assetID, rendition: Self.rendition)
        let result = PipelineRunner.json(Recorded(variantID: outcome.variant.id ?? 0, variantAssetID: outcome.variant.variantAssetID,
                                                  created: outcome.created))
        return try job.store.completeStageRun(id: job.stageRunID, status: .succeeded, result: result, assetID: assetID)
    }

    /// The stage run's `result`.
    struct Recorded: Encodable {
        var variantID: Int64
        var variantAssetID: Int64
        var created: Bool
    }
}

extension PipelineStage {
    public static let variants = PipelineStage(VariantsStage.self)
}
