import Foundation
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `/assets/{id}`: the player with the segment timeline under it, the storyboard and keyframes, the
/// metadata, clips (each playable as its range), branches, stage runs and the lineage graph. The same
/// facts as `assets show` (``AssetDetailDocument``), laid out for people.
struct AssetPage {
    struct Summary {
        var id: Int64
        var sha256: String
        var name: String
        var mediaType: String
        var isVideo: Bool
        var isImage: Bool
        var isAudio: Bool
        var isStored: Bool
        var mediaURL: String
        var posterURL: String?
        var storyboardURL: String?
        var facts: String
    }

    struct Field {
        var name: String
        var value: String
    }

    struct Keyframe {
        var url: String
        var time: String
        var frame: Int
    }

    struct Clip {
        var id: Int64
        var name: String
        var range: String
        var fragmentURL: String
        var renderedHref: String?
    }

    struct Branch {
        var id: Int64
        var href: String
        var name: String
        var time: String
        var variants: [Variant]
    }

    struct Variant {
        var tag: String
        var name: String
        var assetHref: String
    }

    struct Stage {
        var stage: String
        var version: Int
        var status: String
        var error: String?
        var finishedAt: String?
    }

    var page: PageChrome
    var asset: Summary
    var timeline: SegmentTimeline?
    var segmentCount: Int
    var keyframes: [Keyframe]
    var metadata: [Field]
    var clips: [Clip]
    var branches: [Branch]
    var stages: [Stage]
    var lineage: LineageDiagram
    // Stored, not computed: templates see a value's stored properties only.
    var hasKeyframes = false
    var hasClips = false
    var hasBranches = false
    var hasStages = false

    init(library: String, asset: Asset, store: any LibraryStore) throws {
        let detail = try AssetDetailDocument(asset, store: store)
        let name = PageFormatting.name(of: asset)
        page = PageChrome(title: name, library: library)
        let mediaURL = PageFormatting.mediaURL(of: asset)
        let stored = asset.syncStatus == Asset.SyncStatus.stored.rawValue && asset.localPath != nil
        var facts = [asset.mediaType, PageFormatting.size(asset.fileSizeBytes)]
        if let width = asset.width, let height = asset.height { facts.append("\(width)×\(height)") }
        if let duration = PageFormatting.duration(asset.durationSec) { facts.append(duration) }
        if let fps = asset.fps { facts.append(String(format: "%.2f fps", fps)) }
        self.asset = Summary(id: asset.assetID, sha256: asset.sha256, name: name, mediaType: asset.mediaType,
                             isVideo: asset.mediaType == "video", isImage: asset.mediaType == "image",
                             isAudio: asset.mediaType == "audio", isStored: stored, mediaURL: mediaURL,
                             posterURL: PageFormatting.posterURL(of: asset),
                             storyboardURL: asset.mediaType == "video" && stored ? "\(mediaURL)/storyboard.jpg" : nil,
                             facts: facts.joined(separator: " · "))
        let segments = try store.segments(assetID: asset.assetID)
        segmentCount = segments.count
        timeline = SegmentTimeline(segments: segments, duration: asset.durationSec, fps: asset.fps, mediaURL: mediaURL)
        keyframes = try KeyframeListing.load(asset: asset, store: store).map {
            Keyframe(url: "\(mediaURL)/keyframes/\($0.index).jpg", time: PageFormatting.seconds($0.time), frame: $0.frame)
        }
        let a = detail.asset
        let rows: [(String, String?)] = [
            ("Asset", "#\(a.assetId)"), ("SHA-256", a.sha256), ("Type", a.mediaType), ("MIME type", a.mimeType),
            ("Size", "\(PageFormatting.size(a.fileSizeBytes)) (\(a.fileSizeBytes) bytes)"),
            ("Dimensions", a.width.flatMap { w in a.height.map { "\(w)×\($0)" } }),
            ("Duration", a.durationSec.map { PageFormatting.seconds($0) + " s" }),
            ("Frame rate", a.fps.map { String(format: "%.3f fps", $0) }), ("Frames", a.frameCount.map(String.init)),
            ("Audio", detail.audio.map { "\($0.codec ?? "?") \($0.sampleRate ?? 0) Hz, \($0.channels ?? 0) ch" }),
            ("From", a.originalPath ?? a.remoteUrl), ("Remote URL", a.remoteUrl), ("Provider", a.providerId),
            ("Provider asset", a.providerAssetId), ("Generation", a.sourceGenerationId.map { "#\($0)" }),
            ("File", a.syncStatus), ("Added", a.createdAt),
        ]
        metadata = rows.compactMap { name, value in value.map { Field(name: name, value: $0) } }
        clips = detail.clips.map { clip in
            Clip(id: clip.clipId, name: clip.clipName ?? clip.clipTag ?? "clip \(clip.clipId)",
                 range: "\(PageFormatting.seconds(clip.startTime))–\(PageFormatting.seconds(clip.endTime)) s",
                 fragmentURL: "\(mediaURL)#t=\(PageFormatting.seconds(clip.startTime)),\(PageFormatting.seconds(clip.endTime))",
                 renderedHref: clip.extractedAssetId.map { "/assets/\($0)" })
        }
        branches = detail.branches.map { branch in
            Branch(id: branch.branchId, href: "/branches/\(branch.branchId)", name: branch.branchName,
                   time: PageFormatting.seconds(branch.branchTime),
                   variants: branch.variants.map {
                       Variant(tag: $0.variantTag ?? $0.variantName, name: $0.variantName, assetHref: "/assets/\($0.variantAssetId)")
                   })
        }
        // `2026-12-05T05:21:18.611Z` as `2026-12-05 05:21:18`: the page has no room for the fraction.
        stages = detail.stages.map {
            Stage(stage: $0.stage, version: $0.version, status: $0.status, error: $0.error,
                  finishedAt: $0.finishedAt.map { String($0.prefix(19)).replacingOccurrences(of: "T", with: " ") })
        }
        hasKeyframes = !keyframes.isEmpty
        hasClips = !clips.isEmpty
        hasBranches = !branches.isEmpty
        hasStages = !stages.isEmpty
        lineage = LineageDiagram(assetID: asset.assetID,
                                 ancestors: try store.lineage(of: asset.assetID, direction: .ancestors, maxDepth: 8),
                                 descendants: try store.lineage(of: asset.assetID, direction: .descendants, maxDepth: 8))
    }
}
