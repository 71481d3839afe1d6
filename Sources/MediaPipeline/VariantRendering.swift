import Foundation
import MediaLibrary
import MediaOps

/// A rendition made (or found) by ``LibraryEditor/createVariant(assetID:rendition:)``.
public struct VariantOutcome: Sendable {
    public var variant: AssetVariant
    /// False when the same rendition with the same parameters was already in the library (nothing was rendered).
    public var created: Bool
    /// What the render passed over or changed (damaged pictures left out, a track it could not carry):
    /// the lines a clip prints as warnings. Empty when nothing was rendered.
    public var warnings: [String] = []
}

extension LibraryEditor {
    /// Makes a rendition of a video asset (`variants create`): renders it from the stored file
    /// (checked against its hash first), stores the result as an asset named by its own hash,
    /// and records its `asset_variants` row and `variant_source` lineage edge in one transaction.
    /// Asking again for a rendition with the same parameters returns the existing row and writes nothing.
    /// - Throws: ``PipelineError``: no such asset, not a video, bad parameters, the render's failure.
    public func createVariant(assetID: Int64, rendition: Rendition) throws(PipelineError) -> VariantOutcome {
        guard let asset = try wrap({ () throws(LibraryError) in try store.asset(id: assetID) }) else {
            throw PipelineError(subject: "asset \(assetID)", code: .notFound, message: "no such asset")
        }
        guard asset.mediaType == "video" else {
            let what = asset.mediaType == "image" ? "a still image" : "not a video (\(asset.mediaType))"
            throw PipelineError(subject: "asset \(assetID)", code: .noVideo,
                                message: "is \(what); a \(rendition.type.rawValue) rendition needs a video")
        }
        let key = rendition.parametersKey
        if let existing = try wrap({ () throws(LibraryError) in
            try store.variant(assetID: assetID, variantType: rendition.type.rawValue, parametersKey: key)
        }), FileManager.default.fileExists(atPath: store.files.resolved(existing.path)) {
            return VariantOutcome(variant: existing, created: false)
        }
        let input = try sourceFile(assetID)
        let temporary = store.files.makeTemporaryPath(pathExtension: "mp4")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let result: RenditionResult
        do { result = try RenditionRenderer.render(input: input, output: temporary.path, rendition: rendition) } catch {
            throw PipelineError(subject: "asset \(assetID)", error)
        }
        let rendered = try ingestRendered(temporary, name: "\(rendition.type.rawValue) rendition of asset \(assetID)")
        guard let path = rendered.localPath else {
            throw PipelineError(subject: "asset \(assetID)", code: .stageFailed, message: "the rendition was stored without a file")
        }
        let transformation = PipelineRunner.json(VariantTransformation(operation: rendition.type.rawValue, parameters: result.parameters))
        let row = AssetVariant(assetID: assetID, variantAssetID: rendered.assetID, variantType: rendition.type.rawValue,
                               parametersKey: key, path: path, width: result.width, height: result.height, codec: result.codec,
                               bitRate: result.bitRate, metadata: PipelineRunner.json(result))
        let recorded = try wrap { () throws(LibraryError) in try store.recordVariant(row, transformation: transformation) }
        return VariantOutcome(variant: recorded.variant, created: recorded.inserted, warnings: result.warnings)
    }

    struct VariantTransformation: Codable {
        var operation: String
        var parameters: [String: String]
    }
}
