import Foundation

/// One page of the library's assets, newest first, narrowed by what a person
/// filters on (`serve`'s grid and `GET /api/v1/assets`).
///
/// Pages are keyed by id (``beforeID``), not by offset: each page is an index
/// range scan on the primary key whatever its depth, so the hundredth page of a
/// 100,000-asset library costs what the first does.
///
/// ```swift
/// let first = try store.assets(matching: AssetQuery(mediaType: "video", limit: 24))
/// let next = try store.assets(matching: AssetQuery(mediaType: "video", beforeID: first.last?.assetID, limit: 24))
/// ```
public struct AssetQuery: Sendable, Equatable {
    /// `video`, `image`, `audio` or `other`.
    public var mediaType: String?
    /// The provider that generated the asset (`assets.provider_id`).
    public var providerID: String?
    /// Assets made by this operation (a lineage edge into the asset with this `operation_type`).
    public var operationType: String?
    /// A SHA-256 prefix (hex digits), or text found in the file name or URL the asset came from.
    public var search: String?
    /// Only assets with a smaller id (the last id of the previous page).
    public var beforeID: Int64?
    /// The page size.
    public var limit: Int

    public init(mediaType: String? = nil, providerID: String? = nil, operationType: String? = nil, search: String? = nil,
                beforeID: Int64? = nil, limit: Int = 50) {
        self.mediaType = mediaType
        self.providerID = providerID
        self.operationType = operationType
        self.search = search
        self.beforeID = beforeID
        self.limit = limit
    }

    /// The search as a SHA-256 prefix, when it can be one (hex digits only, lowercased).
    public var sha256Prefix: String? {
        guard let search, !search.isEmpty, search.count <= 64, search.allSatisfy(\.isHexDigit) else { return nil }
        return search.lowercased()
    }

    /// The search as a `LIKE` pattern matching it anywhere, its own `%`, `_` and `\` escaped (with `ESCAPE '\'`).
    public var searchPattern: String? {
        guard let search, !search.isEmpty else { return nil }
        var escaped = ""
        for character in search {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}

/// The values the grid's filters offer: every provider and operation the library holds.
public struct AssetFacets: Sendable, Equatable {
    public var providers: [String]
    public var operations: [String]

    public init(providers: [String], operations: [String]) {
        self.providers = providers
        self.operations = operations
    }
}
