import Foundation
import MediaLibrary

/// `/`: the library's assets as a grid of posters, newest first, with the filters of ``AssetQuery`` and
/// a link to the next (older) page.
struct IndexPage {
    struct Card {
        var id: Int64
        var href: String
        var posterURL: String?
        var name: String
        var mediaType: String
        var duration: String?
        var size: String
        var dimensions: String?
        var shortHash: String
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    var page: PageChrome
    var cards: [Card]
    var hasCards: Bool
    var typeOptions: [Option]
    var providerOptions: [Option]
    var operationOptions: [Option]
    var search: String
    var nextHref: String?
    var firstHref: String?
    var isFiltered: Bool
    var summary: String

    init(library: String, query: AssetQuery, assets: [Asset], hasMore: Bool, facets: AssetFacets) {
        page = PageChrome(title: "Assets", library: library)
        cards = assets.map { asset in
            Card(id: asset.assetID, href: "/assets/\(asset.assetID)",
                 posterURL: PageFormatting.posterURL(of: asset),
                 name: PageFormatting.name(of: asset),
                 mediaType: asset.mediaType, duration: PageFormatting.duration(asset.durationSec),
                 size: PageFormatting.size(asset.fileSizeBytes),
                 dimensions: asset.width.flatMap { width in asset.height.map { "\(width)×\($0)" } },
                 shortHash: String(asset.sha256.prefix(10)))
        }
        hasCards = !cards.isEmpty
        func options(_ values: [String], selected: String?, all: String) -> [Option] {
            [Option(value: "", label: all, selected: selected == nil)]
                + values.map { Option(value: $0, label: $0, selected: $0 == selected) }
        }
        typeOptions = options(["video", "image", "audio", "other"], selected: query.mediaType, all: "All types")
        var providers = facets.providers
        if let chosen = query.providerID, !providers.contains(chosen) { providers.append(chosen) }
        providerOptions = options(providers, selected: query.providerID, all: "All providers")
        var operations = facets.operations
        if let chosen = query.operationType, !operations.contains(chosen) { operations.append(chosen) }
        operationOptions = options(operations, selected: query.operationType, all: "All operations")
        search = query.search ?? ""
        isFiltered = query.mediaType != nil || query.providerID != nil || query.operationType != nil || query.search != nil
        var parameters = URLComponents()
        let filters: [(String, String?)] = [("type", query.mediaType), ("provider", query.providerID),
                                            ("operation", query.operationType), ("q", query.search)]
        let kept = filters.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        if hasMore, let last = assets.last {
            parameters.queryItems = kept + [URLQueryItem(name: "before", value: "\(last.assetID)")]
            nextHref = "/" + (parameters.string ?? "")
        }
        if query.beforeID != nil {
            parameters.queryItems = kept.isEmpty ? nil : kept
            firstHref = "/" + (parameters.string ?? "")
        }
        summary = assets.isEmpty ? "No assets" : "\(assets.count) asset\(assets.count == 1 ? "" : "s")"
            + (query.beforeID.map { " older than #\($0)" } ?? ", newest first")
    }
}
