import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// A clip as printed.
public struct ClipDocument: Encodable {
    public var clipId: Int64
    public var sourceAssetId: Int64
    public var startTime: Double
    public var endTime: Double
    public var clipName: String?
    public var clipTag: String?
    public var extractedAssetId: Int64?
    public var output: String?
    public var render: RenderFacts?

    public init(_ clip: AssetClip, rendered: LibraryEditor.Rendered?) {
        clipId = clip.storedID
        sourceAssetId = clip.sourceAssetID
        startTime = clip.startTime
        endTime = clip.endTime
        clipName = clip.clipName
        clipTag = clip.clipTag
        extractedAssetId = clip.extractedAssetID
        output = rendered?.outputPath
        render = rendered?.facts
    }

    public static func line(_ clip: AssetClip) -> String {
        var text = String(format: "clip #%lld of asset #%lld: %.3f-%.3f s", clip.storedID, clip.sourceAssetID, clip.startTime, clip.endTime)
        if let name = clip.clipName { text += "  \(name)" }
        if let tag = clip.clipTag { text += "  [\(tag)]" }
        if let extracted = clip.extractedAssetID { text += "  rendered as #\(extracted)" }
        return text
    }
}
