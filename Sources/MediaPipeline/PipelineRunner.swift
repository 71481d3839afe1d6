import Foundation
import MediaLibrary
import MediaOps

/// Runs the pipeline's stages on one source at a time and records each in
/// `pipeline_runs` / `stage_runs`.
///
/// Idempotent: a stage already completed for an asset (at its current
/// version) is skipped, so rerunning a batch finishes what a killed run left
/// and redoes nothing else. A failing stage fails its asset only; the caller
/// goes on with the next source. Blocking: call it from a thread that may
/// block (``BatchRunner`` does), not from the cooperative pool directly.
public struct PipelineRunner: Sendable {
    public let store: MediaStore
    public var operations: PipelineOperations
    public var downloader: Downloader
    /// libav decoder threads per asset (`batch` divides the cores among its jobs).
    public var decoderThreads: Int

    public init(store: MediaStore, operations: PipelineOperations = .standard, downloader: Downloader = Downloader(),
                decoderThreads: Int = 0) {
        self.store = store
        self.operations = operations
        self.downloader = downloader
        self.decoderThreads = decoderThreads
    }

    /// What to run on a source.
    public struct Options: Sendable {
        public var stages: [PipelineStage]
        /// Rerun stages (and syncs) that failed before; without it they stay failed.
        public var retryFailed: Bool

        public init(stages: [PipelineStage], retryFailed: Bool = false) {
            self.stages = stages.contains(.sync) ? stages.sorted() : ([.sync] + stages).sorted()
            self.retryFailed = retryFailed
        }
    }

    // MARK: One source

    /// Brings `source` into the library and runs the stages on it.
    public func ingest(_ source: MediaSource, options: Options, displayName: String? = nil) -> IngestOutcome {
        let name = displayName ?? source.description
        if !options.retryFailed, let earlier = try? store.lastFailedSync(source: source.description) {
            return IngestOutcome(path: name, assetID: nil, sha256: nil, status: .failed,
                                 error: PipelineError(subject: name, code: .earlierFailure,
                                                      message: (earlier.error ?? "failed") + " (failed in an earlier run; use --retry-failed to try again)"),
                                 stages: [])
        }
        let run: PipelineRun
        do { run = try store.startPipelineRun(source: source.description, stages: options.stages.map(\.rawValue)) } catch {
            return IngestOutcome(path: name, assetID: nil, sha256: nil, status: .failed, error: PipelineError(error), stages: [])
        }
        let runID = run.id ?? 0
        var outcome = IngestOutcome(path: name, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
        var context = SyncContext()
        defer { context.removeSharedPassFiles() }
        do {
            let synced = try sync(source, runID: runID, retryFailed: options.retryFailed)
            context = synced.context
            outcome.assetID = synced.asset.id
            outcome.sha256 = synced.asset.sha256
            outcome.stages.append(synced.stageOutcome)
            if synced.stageOutcome.status != "skipped" { outcome.status = .succeeded }
            context.dueStages = try dueStages(options, asset: synced.asset)

            for stage in options.stages where stage != .sync {
                // Read each stage's state just before it runs: another process may have done it meanwhile.
                let states = try store.stageStates(assetID: synced.asset.assetID)
                let stageOutcome = runStage(stage, asset: synced.asset, context: &context, runID: runID,
                                            previous: states["\(stage.rawValue)@\(stage.version)"], retryFailed: options.retryFailed)
                outcome.stages.append(stageOutcome)
                switch stageOutcome.status {
                case "skipped": break
                case RunStatus.failed.rawValue:
                    outcome.status = .failed
                    let message = "\(stage.rawValue): \(stageOutcome.error ?? "failed")"
                    if var error = outcome.error {
                        // Every failed stage is named, in one line.
                        error.message += "; " + message
                        outcome.error = error
                    } else {
                        let code: PipelineError.Code = stageOutcome.error?.hasSuffix("--retry-failed to try again)") == true ? .earlierFailure : .stageFailed
                        outcome.error = PipelineError(subject: name, code: code, message: message)
                    }
                default:
                    if outcome.status == .skipped { outcome.status = .succeeded }
                }
            }
        } catch {
            outcome.status = .failed
            let failure = PipelineError(subject: name, error)
            outcome.error = PipelineError(subject: name, code: .stageFailed, message: failure.message)
            outcome.error?.code = failure.code
            if outcome.stages.isEmpty {
                outcome.stages.append(.init(stage: .sync, status: RunStatus.failed.rawValue, error: failure.message, seconds: nil))
            }
        }
        try? store.finishPipelineRun(id: runID, assetID: outcome.assetID,
                                     status: outcome.status == .failed ? .failed : .succeeded,
                                     error: outcome.error?.message)
        return outcome
    }

    /// What the sync stage learnt, handed to the later stages of the same run.
    struct SyncContext {
        var probe: ProbeResult?
        /// The picture stages (thumbnail, keyframes, segments) this run will do on the asset.
        var dueStages: Set<PipelineStage> = []
        /// Their shared decode, once made (see ``PipelineRunner/sharedPass(asset:input:context:)``).
        var sharedPass: SharedPass?

        func removeSharedPassFiles() {
            guard case .made(_, let poster, let keyframes) = sharedPass else { return }
            for url in [poster, keyframes].compactMap({ $0 }) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// The outcome of the one decode that serves every picture stage due on an asset.
    enum SharedPass {
        /// Made; the poster and keyframes are in these temporary places until their stages move them.
        case made(OnePassResult, poster: URL?, keyframes: URL?)
        case failed(any Error)
    }

    /// The picture stages of `options` that will run on `asset` (not done
    /// before, not failed before unless retrying).
    private func dueStages(_ options: Options, asset: Asset) throws -> Set<PipelineStage> {
        guard asset.mediaType == "video" else { return [] }
        let states = try store.stageStates(assetID: asset.assetID)
        return Set(options.stages.filter { stage in
            guard [.thumbnail, .keyframes, .segments].contains(stage) else { return false }
            guard let previous = states["\(stage.rawValue)@\(stage.version)"] else { return true }
            if isCompletion(previous.status) { return false }
            return previous.status != RunStatus.failed.rawValue || options.retryFailed
        })
    }

    /// The one decode shared by the picture stages, made by the first of them
    /// to run: when segments and at least one of thumbnail and keyframes are
    /// due, decoding once for all three costs about a third of decoding for each.
    /// Its time is counted in the `stage_runs` row of the stage that made it.
    /// Nil when nothing is shared (one stage due, or no one-pass operation).
    private func sharedPass(asset: Asset, input: String, context: inout SyncContext) throws -> (result: OnePassResult, poster: URL?, keyframes: URL?)? {
        guard let onePass = operations.onePass, context.dueStages.contains(.segments), context.dueStages.count > 1 else { return nil }
        if context.sharedPass == nil {
            let poster = context.dueStages.contains(.thumbnail) ? store.files.makeTemporaryPath(pathExtension: "jpg") : nil
            let keyframes = context.dueStages.contains(.keyframes) ? store.files.makeTemporaryPath() : nil
            do {
                let result = try onePass.analyze(input: input, posterOutput: poster?.path, keyframesFolder: keyframes?.path,
                                                 keyframeCount: operations.keyframeCount, decoderThreads: decoderThreads)
                context.sharedPass = .made(result, poster: poster, keyframes: keyframes)
            } catch {
                for url in [poster, keyframes].compactMap({ $0 }) { try? FileManager.default.removeItem(at: url) }
                context.sharedPass = .failed(error)
            }
        }
        switch context.sharedPass {
        case .made(let result, let poster, let keyframes): return (result, poster, keyframes)
        case .failed(let error): throw error
        case nil: return nil
        }
    }

    struct SyncResult {
        var asset: Asset
        var context: SyncContext
        var stageOutcome: IngestOutcome.StageOutcome
    }

    /// The sync stage: local file (downloaded if remote), hash, media check,
    /// copy into the content store, asset row.
    func sync(_ source: MediaSource, runID: Int64, retryFailed: Bool) throws -> SyncResult {
        let started = Date()
        let stage = PipelineStage.sync
        // A URL already synced needs no download.
        if case .remote(let url) = source, let known = try existingSyncedAsset(remoteURL: url.absoluteString) {
            return SyncResult(asset: known, context: SyncContext(), stageOutcome: .init(stage: stage, status: "skipped", error: nil, seconds: nil))
        }
        var temporaryDownload: URL?
        defer { if let temporaryDownload { try? FileManager.default.removeItem(at: temporaryDownload) } }
        let localPath: String
        switch source {
        case .file(let path):
            localPath = path
        case .remote(let url):
            let destination = store.files.makeTemporaryPath(pathExtension: url.pathExtension)
            temporaryDownload = destination
            do { _ = try downloader.download(url, to: destination) } catch {
                try recordFailedSync(runID: runID, started: started, error: error.message)
                throw error
            }
            localPath = destination.path
        }
        let sha256: String
        do {
            try InputValidation.checkReadableFile(localPath)
            sha256 = try FileDigest.sha256(ofFile: localPath)
        } catch {
            let failure = PipelineError(subject: source.description, error)
            try recordFailedSync(runID: runID, started: started, error: failure.message)
            throw failure
        }
        if let known = try store.asset(sha256: sha256), known.syncStatus == Asset.SyncStatus.stored.rawValue,
           let stored = known.localPath, FileManager.default.fileExists(atPath: stored),
           try store.stageStates(assetID: known.assetID)["sync@\(stage.version)"].map({ isCompletion($0.status) }) == true {
            // Same content from another path or URL: the same asset; remember where else it came from.
            var candidate = known
            if case .remote(let url) = source { candidate.remoteURL = url.absoluteString }
            let (merged, _) = try store.insertOrFetchAsset(candidate)
            return SyncResult(asset: merged, context: SyncContext(), stageOutcome: .init(stage: stage, status: "skipped", error: nil, seconds: nil))
        }

        let stageRun = try store.startStageRun(pipelineRunID: runID, assetID: nil, stage: stage.rawValue, version: stage.version)
        let stageRunID = stageRun.id ?? 0
        do {
            let probe: ProbeResult
            do { probe = try MediaProbe.probe(localPath) } catch {
                // A download that is not media says so about the URL, not the temporary file.
                throw MediaError(path: source.description, code: error.code, message: error.message)
            }
            let ext = source.pathExtension.isEmpty ? Self.pathExtension(forMIME: probe.mimeType) : source.pathExtension
            let storedURL: URL
            if let temporaryDownload {
                storedURL = try store.files.moveIntoPlace(temporaryDownload, to: store.files.contentPath(sha256: sha256, pathExtension: ext))
            } else {
                storedURL = try store.files.store(copyOf: URL(fileURLWithPath: localPath), sha256: sha256, pathExtension: ext)
            }
            var remoteURL: String?
            var originalPath: String?
            switch source {
            case .remote(let url): remoteURL = url.absoluteString
            case .file(let path):
                let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
                // A render made inside the library has no outside origin to remember.
                let madeInside = standardized.hasPrefix(store.files.temporaryFolder.standardizedFileURL.path + "/")
                originalPath = madeInside ? nil : standardized
            }
            let (asset, _) = try store.insertOrFetchAsset(Asset(
                sha256: sha256, mediaType: probe.mediaType, mimeType: probe.mimeType, localPath: storedURL.path,
                originalPath: originalPath, remoteURL: remoteURL, width: probe.video?.displayWidth,
                height: probe.video?.displayHeight, durationSec: probe.durationSec, fps: probe.video?.fps,
                frameCount: probe.video?.frameCount, fileSizeBytes: probe.fileSizeBytes))
            let assetID = asset.assetID
            let status = try store.completeStageRun(id: stageRunID, assetID: assetID)
            let elapsed = Date().timeIntervalSince(started)
            return SyncResult(asset: asset, context: SyncContext(probe: probe),
                              stageOutcome: .init(stage: stage, status: status.rawValue, error: nil, seconds: elapsed))
        } catch {
            let failure = PipelineError(subject: source.description, error)
            try? store.failStageRun(id: stageRunID, error: failure.message)
            throw failure
        }
    }

    private func recordFailedSync(runID: Int64, started: Date, error: String) throws {
        let run = try store.startStageRun(pipelineRunID: runID, assetID: nil, stage: PipelineStage.sync.rawValue,
                                          version: PipelineStage.sync.version)
        try store.failStageRun(id: run.id ?? 0, error: error)
    }

    private func existingSyncedAsset(remoteURL: String) throws -> Asset? {
        guard let found = try store.asset(remoteURL: remoteURL), let path = found.localPath, FileManager.default.fileExists(atPath: path),
              try store.stageStates(assetID: found.assetID)["sync@\(PipelineStage.sync.version)"].map({ isCompletion($0.status) }) == true
        else { return nil }
        return found
    }

    private func isCompletion(_ status: String) -> Bool {
        status == RunStatus.succeeded.rawValue || status == RunStatus.notApplicable.rawValue
    }

    static func pathExtension(forMIME mime: String) -> String {
        let known: [String: String] = [
            "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
            "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "audio/mpeg": "mp3",
            "audio/mp4": "m4a", "audio/wav": "wav", "video/mp2t": "ts",
        ]
        return known[mime] ?? ""
    }

    // MARK: Later stages

    func runStage(_ stage: PipelineStage, asset: Asset, context: inout SyncContext, runID: Int64,
                  previous: StageRun?, retryFailed: Bool) -> IngestOutcome.StageOutcome {
        if let previous {
            if isCompletion(previous.status) {
                return .init(stage: stage, status: "skipped", error: nil, seconds: nil)
            }
            if previous.status == RunStatus.failed.rawValue && !retryFailed {
                return .init(stage: stage, status: RunStatus.failed.rawValue,
                             error: (previous.error ?? "failed") + " (failed in an earlier run; use --retry-failed to try again)",
                             seconds: nil)
            }
        }
        let started = Date()
        let stageRun: StageRun
        do {
            stageRun = try store.startStageRun(pipelineRunID: runID, assetID: asset.assetID, stage: stage.rawValue, version: stage.version)
        } catch {
            return .init(stage: stage, status: RunStatus.failed.rawValue, error: error.message, seconds: nil)
        }
        let stageRunID = stageRun.id ?? 0
        do {
            let status = try perform(stage, asset: asset, context: &context, stageRunID: stageRunID)
            return .init(stage: stage, status: status.rawValue, error: nil, seconds: Date().timeIntervalSince(started))
        } catch {
            let failure = PipelineError(subject: asset.localPath ?? asset.sha256, error)
            try? store.failStageRun(id: stageRunID, error: failure.message)
            return .init(stage: stage, status: RunStatus.failed.rawValue, error: failure.message, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Does one stage's work and records it.
    func perform(_ stage: PipelineStage, asset: Asset, context: inout SyncContext, stageRunID: Int64) throws -> RunStatus {
        guard let input = asset.localPath, FileManager.default.fileExists(atPath: input) else {
            throw PipelineError(subject: asset.sha256, code: .stageFailed, message: "the stored file is missing from the library")
        }
        let assetID = asset.assetID
        if stage != .probe && !stage.applies(to: asset.mediaType) {
            return try store.completeStageRun(id: stageRunID, status: .notApplicable,
                                              result: #"{"reason": "not a video"}"#)
        }
        switch stage {
        case .sync:
            return .succeeded
        case .probe:
            let probe = try context.probe ?? MediaProbe.probe(input)
            context.probe = probe
            let description = Self.describe(probe)
            return try store.completeStageRun(id: stageRunID) { db in
                try MediaStore.describe(db, assetID: assetID, as: description)
            }
        case .thumbnail:
            let destination = store.files.derivedPath(sha256: asset.sha256, suffix: "poster.jpg")
            let image: PosterRecord
            if let shared = try sharedPass(asset: asset, input: input, context: &context), let made = shared.result.poster, let file = shared.poster {
                image = made
                try store.files.moveIntoPlace(file, to: destination)
            } else {
                guard let poster = operations.poster else { throw unavailable(stage, needs: "analysis (thumbnail)") }
                let temporary = store.files.makeTemporaryPath(pathExtension: "jpg")
                defer { try? FileManager.default.removeItem(at: temporary) }
                image = try poster.makePoster(input: input, output: temporary.path, decoderThreads: decoderThreads)
                try store.files.moveIntoPlace(temporary, to: destination)
            }
            let result = Self.json(image)
            return try store.completeStageRun(id: stageRunID, result: result) { db in
                try MediaStore.setThumbnail(db, assetID: assetID, path: destination.path)
            }
        case .keyframes:
            let destination = store.files.derivedPath(sha256: asset.sha256, suffix: "keyframes")
            // The extractor creates the folder; it is renamed into place whole.
            let images: [KeyframeRecord]
            let folder: URL
            let temporary = store.files.makeTemporaryPath()
            defer { try? FileManager.default.removeItem(at: temporary) }
            if let shared = try sharedPass(asset: asset, input: input, context: &context), let made = shared.result.keyframes, let file = shared.keyframes {
                images = made
                folder = file
            } else {
                guard let extractor = operations.keyframes else { throw unavailable(stage, needs: "analysis (keyframes)") }
                images = try extractor.extractKeyframes(input: input, folder: temporary.path, count: operations.keyframeCount,
                                                        decoderThreads: decoderThreads)
                folder = temporary
            }
            if FileManager.default.fileExists(atPath: destination.path) { try? FileManager.default.removeItem(at: destination) }
            try store.files.moveIntoPlace(folder, to: destination)
            let listing = KeyframeListing(folder: destination.path, keyframes: images)
            return try store.completeStageRun(id: stageRunID, result: Self.json(listing))
        case .segments:
            let features: [TemporalSegment]
            if let shared = try sharedPass(asset: asset, input: input, context: &context) {
                features = shared.result.segments
            } else {
                guard let analyzer = operations.segments else { throw unavailable(stage, needs: "analysis (segments)") }
                features = try analyzer.analyzeSegments(input: input, decoderThreads: decoderThreads)
            }
            let rows = features.map { AssetTemporalSegment($0, assetID: assetID) }
            return try store.completeStageRun(id: stageRunID, result: #"{"segments": \#(rows.count)}"#) { db in
                try MediaStore.replaceSegments(db, assetID: assetID, with: rows)
            }
        }
    }

    private func unavailable(_ stage: PipelineStage, needs: String) -> PipelineError {
        PipelineError(subject: stage.rawValue, code: .stageUnavailable,
                      message: "stage '\(stage.rawValue)' is not available in this build (its operation, \(needs), is not built in)")
    }

    struct KeyframeListing: Codable {
        var folder: String
        var keyframes: [KeyframeRecord]
    }

    static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func describe(_ probe: ProbeResult) -> AssetDescription {
        let audio = probe.audio.map { info in
            AudioMetadata(assetID: 0, sampleRate: info.sampleRate, channels: info.channels, bitrate: info.bitRate,
                          codec: info.codec,
                          extra: json(["channel_layout": info.channelLayout, "sample_format": info.sampleFormat, "profile": info.profile]))
        }
        return AssetDescription(
            mediaType: probe.mediaType, mimeType: probe.mimeType, width: probe.video?.displayWidth,
            height: probe.video?.displayHeight, durationSec: probe.durationSec, fps: probe.video?.fps,
            frameCount: probe.video?.frameCount, mediaMetadata: json(probe), audio: audio)
    }
}
