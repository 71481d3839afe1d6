import ArgumentParser
import Foundation
import MediaLibrary
import MediaPipeline

/// `pixsim-media assets list|show`.
struct AssetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assets",
        abstract: "Look at the library's assets.",
        subcommands: [List.self, Show.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Assets, newest first.")

        @OptionGroup var options: GlobalOptions

        @Option(name: .long, help: "Only this media type: video, image or audio.")
        var type: String?

        @Option(name: .long, help: "At most this many.")
        var limit: Int?

        func validate() throws {
            if let type, !["video", "image", "audio", "other"].contains(type) {
                throw ValidationError("--type must be video, image or audio")
            }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            _ = options.configureLogging()
            try await LibraryCommandSupport.run(json: options.json) {
                let store = try LibraryCommandSupport.openStore(options)
                let assets = try store.assets(mediaType: type, limit: limit)
                if options.json {
                    try CommandOutput.printJSON(assets.map(AssetDocument.init))
                } else {
                    for asset in assets { CommandOutput.printLine(AssetDocument.line(asset)) }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "One asset with its metadata, segments, clips, branches, lineage and pipeline runs.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Asset id or SHA-256 prefix.")
        var asset: String

        func run() async throws {
            _ = options.configureLogging()
            try await LibraryCommandSupport.run(json: options.json) {
                let store = try LibraryCommandSupport.openStore(options)
                let found = try LibraryCommandSupport.resolve(asset, in: store)
                let document = try AssetDetailDocument(found, store: store)
                if options.json { try CommandOutput.printJSON(document) } else { document.printText() }
            }
        }
    }
}

/// `assets show`: the asset and everything the library knows about it.
struct AssetDetailDocument: Encodable {
    var asset: AssetDocument
    var mediaMetadata: JSONFragment?
    var audio: Audio?
    var segments: [Segment]
    var clips: [ClipDocument]
    var branches: [BranchDocument]
    var parents: [EdgeDocument]
    var children: [EdgeDocument]
    var stages: [StageState]

    struct Audio: Encodable {
        var sampleRate: Int?
        var channels: Int?
        var bitrate: Int64?
        var codec: String?
    }

    struct Segment: Encodable {
        var index: Int
        var segmentType: String
        var transitionIn: String?
        var startTime: Double
        var endTime: Double
        var startFrame: Int
        var endFrame: Int
        var brightness: Double?
        var dominantColors: JSONFragment?
        var cameraMotion: String?
        var motionMagnitude: Double?
        var startHash: String?
        var endHash: String?
    }

    struct StageState: Encodable {
        var stage: String
        var version: Int
        var status: String
        var error: String?
        var finishedAt: String?
        /// What the stage produced beyond its tables (the keyframe images, the poster's frame).
        var result: JSONFragment?
    }

    init(_ asset: Asset, store: any LibraryStore) throws {
        let id = asset.assetID
        self.asset = AssetDocument(asset)
        mediaMetadata = asset.mediaMetadata.map(JSONFragment.init)
        audio = try store.audioMetadata(assetID: id).map {
            Audio(sampleRate: $0.sampleRate, channels: $0.channels, bitrate: $0.bitrate, codec: $0.codec)
        }
        segments = try store.segments(assetID: id).map {
            Segment(index: $0.segmentIndex, segmentType: $0.segmentType, transitionIn: $0.transitionIn,
                    startTime: $0.timestampSec, endTime: $0.endSec, startFrame: $0.frameNumber, endFrame: $0.endFrame,
                    brightness: $0.brightness, dominantColors: $0.dominantColors.map(JSONFragment.init),
                    cameraMotion: $0.cameraMotion, motionMagnitude: $0.motionMagnitude, startHash: $0.startHash, endHash: $0.endHash)
        }
        clips = try store.clips(of: id).map { ClipDocument($0, rendered: nil) }
        branches = try store.branches(of: id).map { BranchDocument($0.branch, variants: $0.variants) }
        parents = try store.parentEdges(of: id).map(EdgeDocument.init)
        children = try store.childEdges(of: id).map(EdgeDocument.init)
        stages = try store.stageStates(assetID: id).values.sorted {
            (PipelineStage(rawValue: $0.stage) ?? .sync, $0.stageVersion) < (PipelineStage(rawValue: $1.stage) ?? .sync, $1.stageVersion)
        }.map { StageState(stage: $0.stage, version: $0.stageVersion, status: $0.status, error: $0.error, finishedAt: $0.finishedAt.map(LibraryCommandSupport.timestamp),
                       result: $0.result.map(JSONFragment.init)) }
    }

    func printText() {
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
        if let path = a.localPath { lines.append("  file: \(path)") }
        if let source = a.originalPath ?? a.remoteUrl { lines.append("  from: \(source)") }
        if let thumbnail = a.thumbnailPath { lines.append("  poster: \(thumbnail)") }
        if let generation = a.sourceGenerationId { lines.append("  generation: #\(generation) (\(a.providerId ?? "?") \(a.providerAssetId ?? ""))") }
        for stage in stages {
            lines.append("  stage \(stage.stage) v\(stage.version): \(stage.status)" + (stage.error.map { " (\($0))" } ?? ""))
        }
        if !segments.isEmpty { lines.append("  segments:") }
        for s in segments {
            lines.append(String(format: "    %d  %.3f-%.3f s  frames %d-%d  %@  %@", s.index, s.startTime, s.endTime, s.startFrame, s.endFrame,
                                s.transitionIn ?? "-", s.cameraMotion ?? "-"))
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
        CommandOutput.printLine(lines.joined(separator: "\n"))
    }
}

/// JSON text stored in the database, re-emitted as JSON (not as a string).
struct JSONFragment: Encodable {
    var text: String

    init(_ text: String) { self.text = text }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) {
            try container.encode(AnyJSON(object))
        } else {
            try container.encode(text)
        }
    }
}

/// A JSONSerialization value, encodable.
struct AnyJSON: Encodable {
    var value: Any

    init(_ value: Any) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case let dictionary as [String: Any]:
            var container = encoder.container(keyedBy: AnyKey.self)
            for (key, item) in dictionary { try container.encode(AnyJSON(item), forKey: AnyKey(key)) }
        case let array as [Any]:
            var container = encoder.unkeyedContainer()
            for item in array { try container.encode(AnyJSON(item)) }
        case let number as NSNumber:
            var container = encoder.singleValueContainer()
            if String(cString: number.objCType) == "c" { try container.encode(number.boolValue) }
            else if number.doubleValue.rounded() == number.doubleValue && abs(number.doubleValue) < 1e15 { try container.encode(number.int64Value) }
            else { try container.encode(number.doubleValue) }
        case let string as String:
            var container = encoder.singleValueContainer()
            try container.encode(string)
        default:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }

    /// Keys kept verbatim (the encoder's snake_case conversion leaves snake_case keys alone).
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
