import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// `assets show`: the asset and everything the library knows about it.
public struct AssetDetailDocument: Encodable {
    public var asset: AssetDocument
    public var mediaMetadata: JSONValue?
    public var audio: Audio?
    public var segments: [Segment]
    /// Seamless loops, best first (the loops stage).
    public var loops: [LoopCandidate]
    public var clips: [ClipDocument]
    public var branches: [BranchDocument]
    public var parents: [EdgeDocument]
    public var children: [EdgeDocument]
    public var stages: [StageState]

    public struct Audio: Encodable {
        public var sampleRate: Int?
        public var channels: Int?
        public var bitrate: Int64?
        public var codec: String?
    }

    public struct Segment: Encodable {
        public var index: Int
        public var segmentType: String
        public var transitionIn: String?
        /// `[first, end)`: the frames the transition into this segment spans (SPEC section 4).
        public var transitionFrames: JSONValue?
        public var startTime: Double
        public var endTime: Double
        public var startFrame: Int
        public var endFrame: Int
        public var brightness: Double?
        public var dominantColors: JSONValue?
        public var cameraMotion: String?
        public var motionMagnitude: Double?
        public var startHash: String?
        public var endHash: String?

        public init(_ segment: AssetTemporalSegment) {
            index = segment.segmentIndex
            segmentType = segment.segmentType
            transitionIn = segment.transitionIn
            transitionFrames = segment.transitionFrames.map(JSONValue.init(storedText:))
            startTime = segment.timestampSec
            endTime = segment.endSec
            startFrame = segment.frameNumber
            endFrame = segment.endFrame
            brightness = segment.brightness
            dominantColors = segment.dominantColors.map(JSONValue.init(storedText:))
            cameraMotion = segment.cameraMotion
            motionMagnitude = segment.motionMagnitude
            startHash = segment.startHash
            endHash = segment.endHash
        }
    }

    public struct StageState: Encodable {
        public var stage: String
        public var version: Int
        public var status: String
        public var error: String?
        public var finishedAt: String?
        /// What the stage produced beyond its tables (the keyframe images, the poster's frame).
        public var result: JSONValue?
    }

    public init(_ asset: Asset, store: any LibraryStore) throws {
        let id = asset.assetID
        self.asset = AssetDocument(asset)
        mediaMetadata = asset.mediaMetadata.map(JSONValue.init(storedText:))
        audio = try store.audioMetadata(assetID: id).map {
            Audio(sampleRate: $0.sampleRate, channels: $0.channels, bitrate: $0.bitrate, codec: $0.codec)
        }
        segments = try store.segments(assetID: id).map(Segment.init)
        loops = try store.loops(assetID: id).map {
            LoopCandidate(startFrame: $0.startFrame, endFrame: $0.endFrame, startTime: $0.startTime, endTime: $0.endTime,
                          score: $0.score, seamPSNR: $0.seamPSNR)
        }
        clips = try store.clips(of: id).map { ClipDocument($0, rendered: nil) }
        branches = try store.branches(of: id).map { BranchDocument($0.branch, variants: $0.variants) }
        parents = try store.parentEdges(of: id).map(EdgeDocument.init)
        children = try store.childEdges(of: id).map(EdgeDocument.init)
        stages = try store.stageStates(assetID: id).values.sorted {
            (PipelineStage(name: $0.stage) ?? .sync, $0.stageVersion) < (PipelineStage(name: $1.stage) ?? .sync, $1.stageVersion)
        }.map { StageState(stage: $0.stage, version: $0.stageVersion, status: $0.status, error: $0.error, finishedAt: $0.finishedAt.map(DocumentEncoding.timestamp),
                       result: $0.result.map(JSONValue.init(storedText:))) }
    }

    /// The readable form `assets show` prints.
    public var text: String {
        var lines: [String] = []
        let a = asset
        lines.append("asset #\(a.assetId)  \(a.sha256)")
        lines.append("  \(a.mediaType), \(a.mimeType ?? "?"), \(a.fileSizeBytes) bytes")
        if let width = a.width, let height = a.height {
            var line = "  \(width)x\(height)"
            if let fps = a.fps { line += String(format: ", %.3f fps", fps) }
            if let frames = a.frameCount { line += ", \(frames) frames" }
            if let duration = a.durationSec { line += String(format: ", %.3f s", duration) }
            lines.append(line)
        }
        if let audio { lines.append("  audio: \(audio.codec ?? "?") \(audio.sampleRate ?? 0) Hz, \(audio.channels ?? 0) ch") }
        if let path = a.localPath {
            let evicted = a.syncStatus == Asset.SyncStatus.evicted.rawValue
            lines.append("  file: \(path)" + (evicted ? " (evicted: `pixsim-media sync \(a.assetId)` brings it back)" : ""))
        }
        if let source = a.originalPath ?? a.remoteUrl { lines.append("  from: \(source)") }
        if let thumbnail = a.thumbnailPath { lines.append("  poster: \(thumbnail)") }
        if let generation = a.sourceGenerationId { lines.append("  generation: #\(generation) (\(a.providerId ?? "?") \(a.providerAssetId ?? ""))") }
        for stage in stages {
            lines.append("  stage \(stage.stage) v\(stage.version): \(stage.status)" + (stage.error.map { " (\($0))" } ?? ""))
        }
        if !segments.isEmpty { lines.append("  segments:") }
        for s in segments {
            lines.append(String(format: "    %d  %.3f-%.3f s  frames %d-%d  %@  %@", s.index, s.startTime, s.endTime, s.startFrame, s.endFrame,
                                s.transitionIn ?? "-", s.cameraMotion ?? "-")
                         + (s.transitionFrames.map { "  transition frames \($0.jsonText)" } ?? ""))
        }
        for l in loops {
            lines.append(String(format: "  loop frames %d-%d  %.3f-%.3f s  score %.3f  seam %.2f dB", l.startFrame, l.endFrame,
                                l.startTime, l.endTime, l.score, l.seamPSNR))
        }
        for c in clips {
            lines.append(String(format: "  clip #%lld  %.3f-%.3f s  %@", c.clipId, c.startTime, c.endTime, c.clipName ?? c.clipTag ?? "")
                         + (c.extractedAssetId.map { "  rendered as #\($0)" } ?? ""))
        }
        for b in branches {
            lines.append(String(format: "  branch #%lld at %.3f s  %@", b.branchId, b.branchTime, b.branchName))
            for v in b.variants { lines.append("    variant \(v.variantTag ?? v.variantName) -> asset #\(v.variantAssetId)") }
        }
        for e in parents { lines.append("  parent #\(e.parentAssetId) (\(e.parentRole), \(e.operationType))") }
        for e in children { lines.append("  child #\(e.childAssetId) (\(e.parentRole), \(e.operationType))") }
        return lines.joined(separator: "\n")
    }
}
