import Foundation
import MediaCore
import MediaLibrary

/// A rendition as `variants create --json` and `variants list --json` print it (SPEC section 9):
/// `path` is relative to the file store.
public struct VariantDocument: Encodable {
    public var variantId: Int64
    public var assetId: Int64
    public var variantAssetId: Int64
    public var variantType: String
    public var path: String
    public var width: Int
    public var height: Int
    public var codec: String
    public var bitRate: Int64?
    public var parameters: String
    /// Whether this call made it (false: the same rendition was already there). Only from `create`.
    public var created: Bool?
    /// What the render passed over (a sound track left out, damaged pictures): the lines also printed on
    /// stderr, for a caller that reads only the JSON. Only from `create`, and only when it rendered.
    public var warnings: [String]?

    public init(_ variant: AssetVariant, created: Bool? = nil, warnings: [String]? = nil) {
        variantId = variant.id ?? 0
        assetId = variant.assetID
        variantAssetId = variant.variantAssetID
        variantType = variant.variantType
        path = variant.path
        width = variant.width
        height = variant.height
        codec = variant.codec
        bitRate = variant.bitRate
        parameters = variant.parametersKey
        self.created = created
        self.warnings = warnings
    }

    /// `variant #3 of asset #1: compressed 1280x720 h264 1.52 Mb/s files/ab/….mp4 (asset #7) [crf=23;…]`
    public static func line(_ variant: AssetVariant) -> String {
        var text = "variant #\(variant.id ?? 0) of asset #\(variant.assetID): \(variant.variantType) \(variant.width)x\(variant.height) \(variant.codec)"
        if let rate = variant.bitRate { text += String(format: " %.2f Mb/s", Double(rate) / 1_000_000) }
        text += " \(DisplayText.escaped(variant.path)) (asset #\(variant.variantAssetID)) [\(variant.parametersKey)]"
        return text
    }
}
