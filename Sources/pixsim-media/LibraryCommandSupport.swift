import ArgumentParser
import Foundation
import MediaLibrary
import MediaOps
import MediaPipeline

/// What the library commands share: opening the library, and the JSON shapes of SPEC section 4.
enum LibraryCommandSupport {
    /// Opens the library named by `--library`.
    static func openStore(_ options: GlobalOptions) throws -> MediaStore {
        try MediaStore.open(folder: URL(fileURLWithPath: options.libraryPath))
    }

    /// The pipeline as the command line runs it.
    static func makeRunner(_ store: MediaStore, decoderThreads: Int = 0) -> PipelineRunner {
        PipelineRunner(store: store, operations: .standard, downloader: Downloader(), decoderThreads: decoderThreads)
    }

    /// `--stages` or this build's default stages.
    static func stages(_ text: String?) throws -> [PipelineStage] {
        guard let text else { return PipelineOperations.standard.defaultStages }
        do { return try PipelineStage.parseList(text) } catch {
            throw ValidationError(error.message)
        }
    }

    /// An asset named on the command line: id, SHA-256 prefix or the path of a file (``AssetReference``).
    static func resolve(_ reference: String, in store: MediaStore) throws -> Asset {
        try AssetReference.resolve(reference, in: store)
    }

    /// Seconds from the command line (`12.5` or `HH:MM:SS.mmm`).
    static func seconds(_ text: String, option: String) throws -> Double {
        guard let value = TimeParsing.seconds(text) else {
            throw ValidationError("\(option): '\(text)' is not a time (seconds or HH:MM:SS.mmm)")
        }
        return value
    }

    /// A time as JSON shows it: ISO 8601 in UTC.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Checks that a `--conditions`/metadata argument is JSON, returning it compacted.
    static func jsonArgument(_ text: String?, option: String) throws -> String? {
        guard let text else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else {
            throw ValidationError("\(option) must be JSON")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// SPEC section 4's `batch` document (also what `ingest` prints).
struct BatchDocument: Encodable {
    var processed: Int
    var succeeded: Int
    var failed: Int
    var skipped: Int
    var items: [Item]

    struct Item: Encodable {
        var path: String
        var assetId: Int64?
        var sha256: String?
        var status: String
        var error: ErrorDocument?
        var stages: [Stage]

        enum CodingKeys: String, CodingKey { case path, assetId, sha256, status, error, stages }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(assetId, forKey: .assetId)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(status, forKey: .status)
            try c.encode(error, forKey: .error)
            try c.encode(stages, forKey: .stages)
        }
    }

    struct Stage: Encodable {
        var stage: String
        var status: String
        var error: String?
        var seconds: Double?
    }

    init(_ outcomes: [IngestOutcome]) {
        processed = outcomes.count
        succeeded = outcomes.filter { $0.status == .succeeded }.count
        failed = outcomes.filter { $0.status == .failed }.count
        skipped = outcomes.filter { $0.status == .skipped }.count
        items = outcomes.map { outcome in
            Item(path: outcome.path, assetId: outcome.assetID, sha256: outcome.sha256, status: outcome.status.rawValue,
                 error: outcome.error.map(ErrorDocument.init),
                 stages: outcome.stages.map { Stage(stage: $0.stage.name, status: $0.status.rawValue, error: $0.error,
                                                    seconds: $0.seconds.map { ($0 * 1000).rounded() / 1000 }) })
        }
    }
}

/// The readable line for one finished item, and its error line if it failed.
enum OutcomeText {
    static func print(_ outcome: IngestOutcome, quiet: Bool) {
        if let error = outcome.error, outcome.status == .failed {
            CommandOutput.printError(ErrorReport(subject: outcome.path, code: error.code, message: error.message))
            return
        }
        guard !quiet else { return }
        let id = outcome.assetID.map { "asset \($0)" } ?? "no asset"
        let ran = outcome.stages.filter { $0.status != .skipped }.map(\.stage.name)
        let detail = ran.isEmpty ? "already done" : ran.joined(separator: ", ")
        CommandOutput.printLine("\(outcome.status.rawValue): \(outcome.path) -> \(id) (\(detail))")
    }
}

/// An asset as the library commands print it.
struct AssetDocument: Encodable {
    var assetId: Int64
    var sha256: String
    var mediaType: String
    var mimeType: String?
    var localPath: String?
    var originalPath: String?
    var remoteUrl: String?
    var providerId: String?
    var providerAssetId: String?
    var width: Int?
    var height: Int?
    var durationSec: Double?
    var fps: Double?
    var frameCount: Int?
    var fileSizeBytes: Int64
    var thumbnailPath: String?
    var syncStatus: String
    var sourceGenerationId: Int64?
    /// ISO 8601, UTC.
    var createdAt: String

    init(_ asset: Asset) {
        assetId = asset.assetID
        sha256 = asset.sha256
        mediaType = asset.mediaType
        mimeType = asset.mimeType
        localPath = asset.localPath
        originalPath = asset.originalPath
        remoteUrl = asset.remoteURL
        providerId = asset.providerID
        providerAssetId = asset.providerAssetID
        width = asset.width
        height = asset.height
        durationSec = asset.durationSec
        fps = asset.fps
        frameCount = asset.frameCount
        fileSizeBytes = asset.fileSizeBytes
        thumbnailPath = asset.thumbnailPath
        syncStatus = asset.syncStatus
        sourceGenerationId = asset.sourceGenerationID
        createdAt = LibraryCommandSupport.timestamp(asset.createdAt)
    }

    /// One line: `#12 ab12cd34 video 1280x720 5.000 s original.mp4`.
    static func line(_ asset: Asset) -> String {
        var parts = ["#\(asset.assetID)", String(asset.sha256.prefix(12)), asset.mediaType]
        if let width = asset.width, let height = asset.height { parts.append("\(width)x\(height)") }
        if let duration = asset.durationSec { parts.append(String(format: "%.3f s", duration)) }
        if let source = asset.originalPath ?? asset.remoteURL { parts.append(source) }
        return parts.joined(separator: "  ")
    }
}

/// A lineage edge as printed.
struct EdgeDocument: Encodable {
    var parentAssetId: Int64
    var childAssetId: Int64
    var parentRole: String
    var operationType: String
    var operationJobId: String?
    var parentStartTime: Double?
    var parentEndTime: Double?
    var sequenceOrder: Int

    init(_ edge: LineageEdge) {
        parentAssetId = edge.parentAssetID
        childAssetId = edge.childAssetID
        parentRole = edge.parentRole
        operationType = edge.operationType
        operationJobId = edge.operationJobID
        parentStartTime = edge.parentStartTime
        parentEndTime = edge.parentEndTime
        sequenceOrder = edge.sequenceOrder
    }
}
