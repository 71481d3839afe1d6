import Foundation
import MediaLibrary

/// One page of `GET /api/v1/assets`: the assets, newest first, and where the next page starts.
public struct AssetPageDocument: Encodable {
    public var assets: [AssetDocument]
    /// Pass as `before` for the next page; null on the last page.
    public var nextBefore: Int64?

    public enum CodingKeys: String, CodingKey { case assets, nextBefore = "next_before" }

    /// - Parameter hasMore: whether the query found more assets than the page holds.
    public init(_ assets: [Asset], hasMore: Bool) {
        self.assets = assets.map(AssetDocument.init)
        nextBefore = hasMore ? assets.last?.assetID : nil
    }

    /// `next_before` is written as null on the last page (a missing key would read as "not known").
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(assets, forKey: .assets)
        try c.encode(nextBefore, forKey: .nextBefore)
    }
}
