import Foundation
import MediaLibrary

/// `/branches/{id}`: the source plays to the branch point, the variants are offered by name, each preloaded,
/// and the one chosen continues from there. Without script the page still lists every video to play.
struct BranchPage {
    struct Clip {
        var assetID: Int64
        var href: String
        var mediaURL: String
        var posterURL: String?
        var name: String
    }

    struct Variant {
        var tag: String
        var name: String
        var weight: String?
        var clip: Clip
    }

    var page: PageChrome
    var id: Int64
    var name: String
    var branchTime: String
    var source: Clip
    var variants: [Variant]
    var hasVariants: Bool

    init(library: String, branch: AssetBranch, variants: [BranchVariant], store: any LibraryStore) throws {
        func clip(_ id: Int64) throws -> Clip {
            guard let asset = try store.asset(id: id) else {
                throw HTTPFailure.notFound("asset \(id)", "the branch names an asset that is not in the library")
            }
            return Clip(assetID: id, href: "/assets/\(id)", mediaURL: PageFormatting.mediaURL(of: asset),
                        posterURL: PageFormatting.posterURL(of: asset),
                        name: PageFormatting.name(of: asset))
        }
        page = PageChrome(title: "Branch \(branch.branchName)", library: library)
        id = branch.storedID
        name = branch.branchName
        branchTime = PageFormatting.seconds(branch.branchTime)
        source = try clip(branch.sourceAssetID)
        self.variants = try variants.map {
            Variant(tag: $0.variantTag ?? $0.variantName, name: $0.variantName, weight: $0.weight.map { String(format: "%.2f", $0) },
                    clip: try clip($0.variantAssetID))
        }
        hasVariants = !variants.isEmpty
    }
}
