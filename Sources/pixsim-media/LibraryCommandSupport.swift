import ArgumentParser
import Foundation
import MediaLibrary
import MediaOps
import MediaPipeline

/// What the library commands share: opening the library, reporting failures
/// as `error: <subject>: <message>`, and the JSON shapes of SPEC section 4.
enum LibraryCommandSupport {
    /// Opens the library named by `--library`, or exits 1 with one error line.
    static func openStore(_ options: GlobalOptions) throws -> any LibraryStore {
        do {
            return try LibraryStores.open(LibraryLocation.parse(options.libraryPath, files: options.fileStore))
        } catch {
            report(PipelineError(error), json: options.json)
            throw ExitCode(1)
        }
    }

    /// The pipeline as the command line runs it.
    static func makeRunner(_ store: any LibraryStore, decoderThreads: Int = 0) -> PipelineRunner {
        PipelineRunner(store: store, operations: .standard, downloader: Downloader(), decoderThreads: decoderThreads)
    }

    /// `--stages` or this build's default stages.
    static func stages(_ text: String?) throws -> [PipelineStage] {
        guard let text else { return PipelineOperations.standard.defaultStages }
        do { return try PipelineStage.parseList(text) } catch {
            throw ValidationError(error.message)
        }
    }

    /// Prints one failure on stderr (and, with `--json`, as the command's document).
    static func report(_ error: PipelineError, json: Bool) {
        CommandOutput.printError(path: error.subject, message: error.message)
        if json { try? CommandOutput.printJSON(FailureDocument(error)) }
    }

    /// Runs a library command body: a ``LibraryError`` or ``PipelineError``
    /// becomes one error line and exit status 1.
    static func run(json: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as LibraryError {
            report(PipelineError(error), json: json)
            throw ExitCode(1)
        } catch let error as PipelineError {
            report(error, json: json)
            throw ExitCode(1)
        } catch let error as MediaError {
            report(PipelineError(error), json: json)
            throw ExitCode(1)
        }
    }

    /// An asset named on the command line (id or SHA-256 prefix).
    static func resolve(_ reference: String, in store: any LibraryStore) throws -> Asset {
        try store.resolveAsset(reference)
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

/// `{"error": {"code", "message"}, "path": ...}` for a command that failed as a whole.
struct FailureDocument: Encodable {
    var path: String
    var error: ErrorBody

    init(_ error: PipelineError) {
        path = error.subject
        self.error = ErrorBody(code: error.code, message: error.message)
    }
}

struct ErrorBody: Encodable {
    var code: String
    var message: String
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
        var error: ErrorBody?
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
                 error: outcome.error.map { ErrorBody(code: $0.code, message: $0.message) },
                 stages: outcome.stages.map { Stage(stage: $0.stage.rawValue, status: $0.status, error: $0.error,
                                                    seconds: $0.seconds.map { ($0 * 1000).rounded() / 1000 }) })
        }
    }
}

/// The readable line for one finished item, and its error line if it failed.
enum OutcomeText {
    static func print(_ outcome: IngestOutcome, quiet: Bool) {
        if let error = outcome.error, outcome.status == .failed {
            CommandOutput.printError(path: outcome.path, message: error.message)
            return
        }
        guard !quiet else { return }
        let id = outcome.assetID.map { "asset \($0)" } ?? "no asset"
        let ran = outcome.stages.filter { $0.status != "skipped" }.map(\.stage.rawValue)
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
