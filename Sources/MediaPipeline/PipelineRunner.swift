import Foundation
import Logging
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
    public let store: any LibraryStore
    public var operations: PipelineOperations
    public var downloader: Downloader
    /// libav decoder threads per asset (`batch` divides the cores among its jobs).
    public var decoderThreads: Int
    /// Where stage starts and ends and the run's decisions are logged (``PipelineLogging``).
    public var logger: Logger = PipelineLogging.pipeline

    public init(store: any LibraryStore, operations: PipelineOperations = .standard, downloader: Downloader = Downloader(),
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
        /// Where the files a manifest names may come from.
        public var manifestConfinement: ManifestConfinement

        public init(stages: [PipelineStage], retryFailed: Bool = false, manifestConfinement: ManifestConfinement = ManifestConfinement()) {
            self.stages = PipelineStage.withNeeds(stages)
            self.retryFailed = retryFailed
            self.manifestConfinement = manifestConfinement
        }
    }

    // MARK: One source

    /// Brings `source` into the library and runs the stages on it.
    public func ingest(_ source: MediaSource, options: Options, displayName: String? = nil) -> IngestOutcome {
        let name = displayName ?? source.description
        if !options.retryFailed, let earlier = try? store.lastFailedSync(source: source.description),
           !contentChanged(source, sinceFailedRun: earlier) {
            return IngestOutcome(path: name, assetID: nil, sha256: nil, status: .failed,
                                 error: PipelineError(subject: name, code: .earlierFailure,
                                                      message: (earlier.error ?? "failed") + " (failed in an earlier run; use --retry-failed to try again)"),
                                 stages: [])
        }
        let run: PipelineRun
        do { run = try store.startPipelineRun(source: source.description, stages: options.stages.map(\.name)) } catch {
            return IngestOutcome(path: name, assetID: nil, sha256: nil, status: .failed, error: PipelineError(error), stages: [])
        }
        let runID = run.storedID
        var outcome = IngestOutcome(path: name, assetID: nil, sha256: nil, status: .skipped, error: nil, stages: [])
        var context = SyncContext()
        defer { context.removeSharedPassFiles() }
        do {
            logger.debug("run started", metadata: ["source": "\(DisplayText.escaped(name))", "stages": "\(options.stages.map(\.name).joined(separator: ","))"])
            let synced = try sync(source, runID: runID, retryFailed: options.retryFailed)
            logger.info("synced", metadata: ["source": "\(DisplayText.escaped(name))", "asset": "\(synced.asset.assetID)",
                                             "status": "\(synced.stageOutcome.status.rawValue)",
                                             "seconds": PipelineLogging.seconds(synced.stageOutcome.seconds ?? 0)])
            context = synced.context
            outcome.assetID = synced.asset.id
            outcome.sha256 = synced.asset.sha256
            outcome.stages.append(synced.stageOutcome)
            if synced.stageOutcome.status != .skipped { outcome.status = .succeeded }
            // The stages' states are read once per run, and this run's completions are added as they
            // come (a later stage may need an earlier one). A stage another process completes meanwhile
            // is done again here and closed as superseded, its results not applied: rare (workers take
            // one job per source) and harmless, where a read before every stage cost a round trip each.
            var states = try store.stageStates(assetID: synced.asset.assetID)
            context.dueStages = dueStages(options, asset: synced.asset, states: states)

            for stage in options.stages where stage != .sync {
                let stageOutcome = runStage(stage, asset: synced.asset, context: &context, runID: runID,
                                            states: states, retryFailed: options.retryFailed)
                if [.succeeded, .notApplicable, .superseded].contains(stageOutcome.status) {
                    states[stage.stateKey] = StageRun(pipelineRunID: runID, assetID: synced.asset.assetID, stage: stage.name,
                                                      stageVersion: stage.version, status: .succeeded)
                }
                outcome.stages.append(stageOutcome)
                switch stageOutcome.status {
                case .skipped: break
                case .failed:
                    outcome.status = .failed
                    let message = "\(stage.name): \(stageOutcome.failure?.message ?? "failed")"
                    if var error = outcome.error {
                        // Every failed stage is named, in one line.
                        error.message += "; " + message
                        outcome.error = error
                    } else {
                        let code: ErrorCode = stageOutcome.failure?.code == .earlierFailure ? .earlierFailure : .stageFailed
                        outcome.error = PipelineError(subject: name, code: code, message: message)
                    }
                default:
                    if outcome.status == .skipped { outcome.status = .succeeded }
                }
            }
        } catch {
            outcome.status = .failed
            let failure = PipelineError(subject: name, error)
            outcome.error = PipelineError(subject: name, code: failure.code, message: failure.message)
            if outcome.stages.isEmpty {
                outcome.stages.append(.init(stage: .sync, status: .failed, failure: failure, seconds: nil))
            }
        }
        // A run cut short because the process was asked to stop, or because the library could not be
        // written, is interrupted, not failed: the next run tries it again without --retry-failed.
        let failures = outcome.stages.compactMap { $0.status == .failed ? $0.failure : nil }
        let libraryFault = outcome.status == .failed && !failures.isEmpty && failures.allSatisfy { Self.isLibraryFault($0.code) }
        let interrupted = outcome.status == .failed && ((downloader.shouldStop?() ?? false) || libraryFault)
        if outcome.status == .failed && !interrupted && outcome.assetID == nil, case .file(let path) = source,
           let content = try? FileDigest.sha256(ofFile: path) {
            try? store.recordFailedSourceContent(runID: runID, sha256: content)
        }
        try? store.finishPipelineRun(id: runID, assetID: outcome.assetID,
                                     status: interrupted ? .interrupted : outcome.status == .failed ? .failed : .succeeded,
                                     error: outcome.error?.message)
        return outcome
    }

    /// Whether a local source's bytes differ from those its failed run read
    /// (failure memory is keyed by content, not by path: a file that failed
    /// half-written is tried again once complete). A run that recorded no
    /// content, or a URL, counts as unchanged.
    func contentChanged(_ source: MediaSource, sinceFailedRun run: PipelineRun) -> Bool {
        guard case .file(let path) = source, let id = run.id,
              let recorded = try? store.failedSourceContent(runID: id),
              let current = try? FileDigest.sha256(ofFile: path) else { return false }
        return recorded != current
    }

    /// What the sync stage learnt, handed to the later stages of the same run.
    struct SyncContext {
        var probe: ProbeResult?
        /// The stages using the shared analysis pass that this run will do on the asset.
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

    /// The stages of `options` using the shared analysis pass that will run
    /// on `asset` (not done before, not failed before unless retrying).
    private func dueStages(_ options: Options, asset: Asset, states: [String: StageRun]) -> Set<PipelineStage> {
        return Set(options.stages.filter { stage in
            guard let definition = stage.definition, definition.analysisPass != .none,
                  definition.applies(to: asset.mediaType) else { return false }
            guard let previous = states[stage.stateKey]?.runStatus else { return true }
            if previous.isCompletion { return false }
            return previous != .failed || options.retryFailed
        })
    }

    /// The one decode shared by the picture stages, made by the first of them
    /// to run: when segments and at least one of thumbnail and keyframes are
    /// due, decoding once for all three costs about a third of decoding for each.
    /// Its time is counted in the `stage_runs` row of the stage that made it.
    /// Nil when nothing is shared (one stage due, or no one-pass operation).
    func sharedPass(asset: Asset, input: String, context: inout SyncContext) throws -> (result: OnePassResult, poster: URL?, keyframes: URL?)? {
        guard let onePass = operations.onePass, context.dueStages.count > 1,
              context.dueStages.contains(where: { $0.definition?.analysisPass == .wholeVideo }) else { return nil }
        if context.sharedPass == nil {
            let poster = context.dueStages.contains(.thumbnail) ? store.files.makeTemporaryPath(pathExtension: "jpg") : nil
            let keyframes = context.dueStages.contains(.keyframes) ? store.files.makeTemporaryPath() : nil
            let started = Date()
            do {
                let result = try onePass.analyze(input: input, posterOutput: poster?.path, keyframesFolder: keyframes?.path,
                                                 keyframeCount: operations.keyframeCount, decoderThreads: decoderThreads)
                context.sharedPass = .made(result, poster: poster, keyframes: keyframes)
                logger.notice("one analysis pass for the picture stages", metadata: [
                    "asset": "\(asset.assetID)", "stages": "\(context.dueStages.sorted().map(\.name).joined(separator: ","))",
                    "seconds": PipelineLogging.seconds(Date().timeIntervalSince(started)),
                    "poster": "\(result.poster != nil ? "made" : "seek instead")",
                    "keyframes": "\(result.keyframes != nil ? "made" : "seek instead")"])
            } catch {
                logger.warning("the shared analysis pass failed", metadata: ["asset": "\(asset.assetID)", "error": "\(DisplayText.escaped(String(describing: error)))"])
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
            return SyncResult(asset: known, context: SyncContext(), stageOutcome: .init(stage: stage, status: .skipped, failure: nil, seconds: nil))
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
           try store.stageStates(assetID: known.assetID)[stage.stateKey]?.runStatus?.isCompletion == true {
            // Same content from another path or URL: the same asset; remember where else it came from.
            var candidate = known
            if case .remote(let url) = source { candidate.remoteURL = url.absoluteString }
            let (merged, _) = try store.insertOrFetchAsset(candidate)
            return SyncResult(asset: merged, context: SyncContext(), stageOutcome: .init(stage: stage, status: .skipped, failure: nil, seconds: nil))
        }

        let stageRun = try store.startStageRun(pipelineRunID: runID, assetID: nil, stage: stage.name, version: stage.version)
        let stageRunID = stageRun.storedID
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
                              stageOutcome: .init(stage: stage, status: .init(status), failure: nil, seconds: elapsed))
        } catch {
            let failure = PipelineError(subject: source.description, error)
            try? store.failStageRun(id: stageRunID, error: failure.message, status: Self.failureStatus(failure.code))
            throw failure
        }
    }

    private func recordFailedSync(runID: Int64, started: Date, error: String) throws {
        let run = try store.startStageRun(pipelineRunID: runID, assetID: nil, stage: PipelineStage.sync.name,
                                          version: PipelineStage.sync.version)
        try store.failStageRun(id: run.storedID, error: error)
    }

    private func existingSyncedAsset(remoteURL: String) throws -> Asset? {
        guard let found = try store.asset(remoteURL: remoteURL), let path = found.localPath, FileManager.default.fileExists(atPath: path),
              try store.stageStates(assetID: found.assetID)[PipelineStage.sync.stateKey]?.runStatus?.isCompletion == true
        else { return nil }
        return found
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
                  states: [String: StageRun], retryFailed: Bool) -> IngestOutcome.StageOutcome {
        let subject = asset.localPath ?? asset.sha256
        if let previous = states[stage.stateKey] {
            if previous.runStatus?.isCompletion == true {
                return .init(stage: stage, status: .skipped, failure: nil, seconds: nil)
            }
            if previous.runStatus == .failed && !retryFailed {
                return .init(stage: stage, status: .failed,
                             failure: PipelineError(subject: subject, code: .earlierFailure,
                                                    message: (previous.error ?? "failed") + " (failed in an earlier run; use --retry-failed to try again)"),
                             seconds: nil)
            }
        }
        // What the stage needs must be done first (this run did it, or an earlier one).
        for need in stage.needs where states[need.stateKey]?.runStatus?.isCompletion != true {
            return .init(stage: stage, status: .failed,
                         failure: PipelineError(subject: subject, code: .stageFailed, message: "needs the \(need.name) stage, which is not done"),
                         seconds: nil)
        }
        let started = Date()
        var logger = self.logger
        logger[metadataKey: "asset"] = "\(asset.assetID)"
        logger[metadataKey: "stage"] = "\(stage.name)"
        logger.debug("stage started", metadata: ["file": "\(DisplayText.escaped(subject))"])
        let stageRun: StageRun
        do {
            stageRun = try store.startStageRun(pipelineRunID: runID, assetID: asset.assetID, stage: stage.name, version: stage.version)
        } catch {
            return .init(stage: stage, status: .failed, failure: PipelineError(error), seconds: nil)
        }
        let stageRunID = stageRun.storedID
        do {
            let status = try perform(stage, asset: asset, context: &context, stageRunID: stageRunID)
            let seconds = Date().timeIntervalSince(started)
            logger.info("stage ended", metadata: ["status": "\(status.rawValue)", "seconds": PipelineLogging.seconds(seconds)])
            return .init(stage: stage, status: .init(status), failure: nil, seconds: seconds)
        } catch {
            let failure = PipelineError(subject: subject, error)
            logger.warning("stage failed", metadata: ["code": "\(failure.code.rawValue)", "error": "\(DisplayText.escaped(failure.message))",
                                                      "seconds": PipelineLogging.seconds(Date().timeIntervalSince(started))])
            try? store.failStageRun(id: stageRunID, error: failure.message, status: Self.failureStatus(failure.code))
            return .init(stage: stage, status: .failed, failure: failure, seconds: Date().timeIntervalSince(started))
        }
    }

    /// Does one stage's work and records it: the stage's type does the work
    /// (``AssetStage/perform(_:)``) on a media type it applies to.
    func perform(_ stage: PipelineStage, asset: Asset, context: inout SyncContext, stageRunID: Int64) throws -> RunStatus {
        guard let input = asset.localPath else {
            throw PipelineError(subject: asset.sha256, code: .stageFailed, message: "the asset has no stored file")
        }
        if !FileManager.default.fileExists(atPath: input) {
            // Evicted (or lost): brought back from its original or its URL, checked against its hash.
            let check = StoredFileIntegrity(store: store, downloader: downloader).check(asset, repair: true)
            guard check.verdict == .repaired else {
                throw PipelineError(subject: asset.sha256, code: .stageFailed, message: "the stored file is missing from the library: \(check.detail)")
            }
        }
        guard let definition = stage.definition else { return .succeeded }  // sync: done by ``sync(_:runID:retryFailed:)``
        if !definition.applies(to: asset.mediaType) {
            return try store.completeStageRun(id: stageRunID, status: .notApplicable,
                                              result: #"{"reason": "not a video"}"#)
        }
        var job = StageJob(runner: self, asset: asset, input: input, stageRunID: stageRunID, context: context)
        defer { context = job.context }
        return try definition.init().perform(&job)
    }

    /// Whether a failure is the library's rather than its input's: the file store or the database could
    /// not be written (a full disk, a read-only mount, a database locked past the busy timeout), or a
    /// stage's output, which always goes into the library, could not be. Such a failure is reported like
    /// any other but recorded `interrupted`, so a rerun once the fault is gone does the work without
    /// `--retry-failed`; holding it against the input would refuse good media for a disk's fault.
    static func isLibraryFault(_ code: ErrorCode) -> Bool {
        code == .storage || code == .database || code == .outputUnwritable
    }

    /// How a stage run that threw is recorded (``isLibraryFault(_:)``).
    static func failureStatus(_ code: ErrorCode) -> RunStatus {
        isLibraryFault(code) ? .interrupted : .failed
    }

    static func json<T: Encodable>(_ value: T) -> String? {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The sync stage's identity; its work is ``PipelineRunner/sync(_:runID:retryFailed:)``, the first of every run.
enum SyncStage {
    static let name = "sync"
    static let version = 1
}
