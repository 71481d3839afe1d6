import Foundation
import MediaLibrary
import MediaPipeline

/// The keyframes of an asset as its keyframes stage recorded them (`stage_runs.result`): the one place
/// the server learns which images exist, at which times, so no file name ever comes from a request.
enum KeyframeListing {
    private struct Result: Decodable {
        var keyframes: [KeyframeRecord]
    }

    /// The keyframes in index order; empty when the stage has not completed.
    static func load(asset: Asset, store: any LibraryStore) throws -> [KeyframeRecord] {
        let runs = try store.stageStates(assetID: asset.assetID).values.filter { $0.stage == "keyframes" && RunStatus.isCompletion($0.status) }
        guard let text = runs.max(by: { $0.stageVersion < $1.stageVersion })?.result else { return [] }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return ((try? decoder.decode(Result.self, from: Data(text.utf8)))?.keyframes ?? []).sorted { $0.index < $1.index }
    }
}
