import Foundation

/// The library's seam: every read and write the pipeline and the commands
/// make, named after what it means, whatever database holds the rows.
///
/// Two engines implement it: ``SQLiteLibraryStore`` (GRDB, a library folder,
/// the embedded default) and ``PostgresLibraryStore`` (postgres-nio, a shared
/// database with a shared file store, SPEC section 7). Open one with
/// ``LibraryStores/open(_:)``; nothing outside `MediaLibrary` sees GRDB or
/// PostgresNIO.
///
/// The protocol is synchronous on purpose: the pipeline runs its stages on its
/// own threads and decodes video between two writes, so a blocking call is what
/// it wants. The PostgreSQL engine bridges to its async client without ever
/// needing a cooperative-pool thread (see ``PostgresLibraryStore``).
///
/// Every write that must be all-or-nothing is one transaction in both engines;
/// content-keyed inserts never make duplicates when several processes write at once.
public protocol LibraryStore: Sendable {
    /// The file store: content files and their derived files.
    var files: LibraryFiles { get }
    /// The database as people name it in messages (a path, or `host:port/database`; never a password).
    var displayName: String { get }
    /// A value that changes whenever any process commits a write to the library, so that what was read
    /// under one token is still true while the token is the same (the server keeps answers by it). Read it
    /// before the reads it vouches for. Nil when the engine cannot tell (an in-memory database).
    func changeToken() throws(LibraryError) -> String?

    // MARK: Assets

    /// Inserts the asset unless one with the same SHA-256 exists (then fills what
    /// the stored row did not know, never overwriting), and returns the stored row.
    func insertOrFetchAsset(_ candidate: Asset) throws(LibraryError) -> (asset: Asset, inserted: Bool)
    func asset(id: Int64) throws(LibraryError) -> Asset?
    func asset(sha256: String) throws(LibraryError) -> Asset?
    /// The asset downloaded from this URL, if any.
    func asset(remoteURL: String) throws(LibraryError) -> Asset?
    /// At most `limit` assets whose SHA-256 starts with `prefix` (lowercase hex).
    func assets(sha256Prefix prefix: String, limit: Int) throws(LibraryError) -> [Asset]
    /// Assets, newest first.
    func assets(mediaType: String?, limit: Int?) throws(LibraryError) -> [Asset]
    /// One page of assets, newest first, filtered as the query says (keyed by id, see ``AssetQuery``).
    func assets(matching query: AssetQuery) throws(LibraryError) -> [Asset]
    /// The providers and operations the library's assets have, sorted (at most 200 of each).
    func assetFacets() throws(LibraryError) -> AssetFacets
    func audioMetadata(assetID: Int64) throws(LibraryError) -> AudioMetadata?
    /// Records where an asset can be fetched from, unless it already has a URL.
    func rememberRemoteURL(_ url: String, assetID: Int64) throws(LibraryError)
    /// Records whether the asset's file is in the store (`stored`) or was dropped (`evicted`).
    func setSyncStatus(_ status: Asset.SyncStatus, assetID: Int64) throws(LibraryError)
    /// Records that the asset's file was read or rendered now (what `evict` orders by).
    func recordAccess(assetID: Int64) throws(LibraryError)
    /// An asset's segments, in order.
    func segments(assetID: Int64) throws(LibraryError) -> [AssetTemporalSegment]
    /// An asset's seamless loops, best first.
    func loops(assetID: Int64) throws(LibraryError) -> [AssetLoop]

    // MARK: Generations and lineage

    /// Records a completed generation, points its result asset at it and adds one
    /// lineage edge per parent, in one transaction; the same provider job twice keeps the first row.
    func recordGeneration(_ generation: Generation, parents: [GenerationParent]) throws(LibraryError) -> Generation
    func generation(id: Int64) throws(LibraryError) -> Generation?
    /// Every generation whose result is `assetID` (`asset_generations`), oldest first.
    func generations(ofAsset assetID: Int64) throws(LibraryError) -> [Generation]
    func generationCount() throws(LibraryError) -> Int
    /// Records derivation edges in one transaction; an edge recorded again adds nothing.
    func addLineageEdges(_ edges: [LineageEdge]) throws(LibraryError)
    /// The edges into an asset (its direct parents), in sequence order.
    func parentEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge]
    /// The edges out of an asset (its direct children).
    func childEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge]
    /// Ancestors or descendants of an asset with their depths, found with one recursive CTE.
    func lineage(of assetID: Int64, direction: LineageGraph.Direction, maxDepth: Int) throws(LibraryError) -> LineageGraph

    // MARK: Clips and branches

    /// Inserts a clip bookmark (already validated against its source asset).
    func insertClip(_ clip: AssetClip) throws(LibraryError) -> AssetClip
    /// Removes a bookmark that was never rendered (a `clips create --render` whose render failed); a rendered clip is kept.
    func discardUnrenderedClip(id: Int64) throws(LibraryError)
    func clip(id: Int64) throws(LibraryError) -> AssetClip?
    func clips(of assetID: Int64) throws(LibraryError) -> [AssetClip]
    /// Records that a clip was rendered, with its lineage edge, in one transaction.
    func recordClipRender(clipID: Int64, extractedAssetID: Int64, playbackMetadata: String?) throws(LibraryError) -> AssetClip
    /// Inserts a branch point (already validated against its source asset).
    func insertBranch(_ branch: AssetBranch) throws(LibraryError) -> AssetBranch
    /// Adds a variant to a branch; a tag already used in the branch is refused.
    func addVariant(_ variant: BranchVariant) throws(LibraryError) -> BranchVariant
    func branch(id: Int64) throws(LibraryError) -> AssetBranch?
    /// The branches of an asset, by time.
    func branchRows(of assetID: Int64) throws(LibraryError) -> [AssetBranch]
    func variants(of branchID: Int64) throws(LibraryError) -> [BranchVariant]
    /// Records a rendered branch path: its lineage edges and the variant's rendered asset, in one transaction.
    func recordBranchRender(branch: AssetBranch, variant: BranchVariant, renderedAssetID: Int64,
                            transformation: String?) throws(LibraryError)

    // MARK: Renditions

    /// The rendition of `assetID` of this type made with these parameters, if it exists.
    func variant(assetID: Int64, variantType: String, parametersKey: String) throws(LibraryError) -> AssetVariant?
    /// The renditions of an asset, oldest first.
    func variants(ofAsset assetID: Int64) throws(LibraryError) -> [AssetVariant]
    /// Records a rendition (its row and its `variant_source` lineage edge) in one transaction. When a
    /// rendition with the same asset, type and parameters key exists, nothing is written and that row is returned.
    /// - Returns: the stored row and whether this call created it.
    func recordVariant(_ variant: AssetVariant, transformation: String?) throws(LibraryError) -> (variant: AssetVariant, inserted: Bool)

    // MARK: Stored file checks

    /// The size and modification time (nanoseconds since 1970) recorded when the asset's file last matched its hash.
    func storedFileStamp(assetID: Int64) throws(LibraryError) -> (size: Int64, modifiedNanoseconds: Int64)?
    /// Records that the asset's file matched its hash with this size and modification time.
    func recordStoredFileStamp(assetID: Int64, size: Int64, modifiedNanoseconds: Int64) throws(LibraryError)

    // MARK: Pipeline runs

    func startPipelineRun(source: String, stages: [String]) throws(LibraryError) -> PipelineRun
    func finishPipelineRun(id: Int64, assetID: Int64?, status: RunStatus, error: String?) throws(LibraryError)
    /// Runs still marked `running` (by this or another process).
    func runningPipelineRuns() throws(LibraryError) -> [PipelineRun]
    /// Marks these runs, and their unfinished stage runs, `interrupted`. - Returns: how many runs changed.
    func markInterrupted(runIDs: [Int64], message: String) throws(LibraryError) -> Int
    func startStageRun(pipelineRunID: Int64, assetID: Int64?, stage: String, version: Int) throws(LibraryError) -> StageRun
    /// Closes a stage run that did not complete: `failed` when the input is at fault (the next run does
    /// not try again without `--retry-failed`), `interrupted` when it was cut short by something else (a
    /// full disk, a locked database; the next run tries again).
    func failStageRun(id: Int64, error: String, status: RunStatus) throws(LibraryError)
    /// Closes a stage run that completed, writing `results` in the same transaction,
    /// unless another run already completed this stage and version for the asset
    /// (then nothing is written and the run is `superseded`). This is the one
    /// place the once-per-stage rule is enforced (the unique index backs it).
    /// - Parameter assetID: the asset the run turned out to be about, when it started without one.
    /// - Returns: the status recorded.
    @discardableResult
    func completeStageRun(id: Int64, status: RunStatus, result: String?, assetID: Int64?,
                          writing results: StageResults) throws(LibraryError) -> RunStatus
    /// Every stage run of an asset, oldest first.
    func stageRuns(assetID: Int64) throws(LibraryError) -> [StageRun]
    /// Remembers the SHA-256 of the bytes a failed run read from its source (failure memory by content).
    func recordFailedSourceContent(runID: Int64, sha256: String) throws(LibraryError)
    /// The SHA-256 of the bytes a failed run read, when it was recorded.
    func failedSourceContent(runID: Int64) throws(LibraryError) -> String?
    /// The latest run of `source` that is neither running nor interrupted.
    func lastFinishedPipelineRun(source: String) throws(LibraryError) -> PipelineRun?
    func pipelineRuns(assetID: Int64) throws(LibraryError) -> [PipelineRun]

    // MARK: Continuations

    /// The end hash (64-bit) of an asset's last segment, nil when it has none.
    func closingHash(of assetID: Int64) throws(LibraryError) -> UInt64?
    /// Opening hashes of assets other than `excluding` that equal the probe on at
    /// least one band (``HashBands``), or all of them when `probes` is nil.
    func openingHashes(matching probes: HashBands.Probes?, excluding assetID: Int64) throws(LibraryError) -> [(assetID: Int64, hash: UInt64)]
}

/// What a completed stage writes with its completion mark (one transaction).
public enum StageResults: Sendable {
    /// Only the mark.
    case nothing
    /// The probe's description of the asset (its columns and audio row).
    case description(AssetDescription)
    /// The asset's poster, a path in the file store.
    case thumbnail(path: String)
    /// The asset's segments, replacing any earlier analysis.
    case segments([AssetTemporalSegment])
    /// The asset's seamless loops, best first, replacing any earlier search.
    case loops([AssetLoop])
}

extension LibraryStore {
    /// Closes a stage run that failed (``failStageRun(id:error:status:)`` with `failed`).
    public func failStageRun(id: Int64, error: String) throws(LibraryError) {
        try failStageRun(id: id, error: error, status: .failed)
    }

    /// Finds the asset a user names: a numeric id, or a SHA-256 prefix (at least 4 hex digits).
    /// - Throws: ``LibraryError`` `not_found` or `ambiguous`.
    public func resolveAsset(_ reference: String) throws(LibraryError) -> Asset {
        let trimmed = reference.trimmingCharacters(in: .whitespaces).lowercased()
        // Short numbers are ids; a long all-digit string may be a SHA-256 prefix.
        if let id = Int64(trimmed) {
            if let found = try asset(id: id) { return found }
            if trimmed.count < 8 {
                throw LibraryError(subject: reference, code: .notFound, message: "no asset with id \(id) in the library")
            }
        }
        guard trimmed.count >= 4, trimmed.allSatisfy({ $0.isHexDigit }) else {
            throw LibraryError(subject: reference, code: .invalidArgument, message: "not an asset id or a SHA-256 prefix (at least 4 hex digits)")
        }
        let matches = try assets(sha256Prefix: trimmed, limit: 2)
        if matches.count > 1 {
            throw LibraryError(subject: reference, code: .ambiguous, message: "SHA-256 prefix matches several assets; give more digits")
        }
        guard let found = matches.first else {
            throw LibraryError(subject: reference, code: .notFound, message: "no asset with this SHA-256 prefix in the library")
        }
        return found
    }

    public func assets(mediaType: String? = nil) throws(LibraryError) -> [Asset] {
        try assets(mediaType: mediaType, limit: nil)
    }

    public func lineage(of assetID: Int64, direction: LineageGraph.Direction) throws(LibraryError) -> LineageGraph {
        try lineage(of: assetID, direction: direction, maxDepth: 64)
    }

    /// Closes a stage run that completed with nothing more to write.
    @discardableResult
    public func completeStageRun(id: Int64, status: RunStatus = .succeeded, result: String? = nil,
                                 assetID: Int64? = nil) throws(LibraryError) -> RunStatus {
        try completeStageRun(id: id, status: status, result: result, assetID: assetID, writing: .nothing)
    }

    /// Marks runs left `running` by processes that no longer exist (killed) as
    /// `interrupted`, with their unfinished stage runs, so the record tells the truth.
    /// A run of a live process (this one or another) is left alone.
    /// - Returns: how many pipeline runs were marked.
    @discardableResult
    public func markInterruptedRuns() throws(LibraryError) -> Int {
        let dead = try runningPipelineRuns().filter { run in
            let pid = pid_t(truncatingIfNeeded: run.processID)
            if pid == getpid() { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }.compactMap(\.id)
        guard !dead.isEmpty else { return 0 }
        return try markInterrupted(runIDs: dead, message: "the process running it stopped before it finished")
    }

    /// For each stage of an asset (keyed by ``StageRun/stateKey(stage:version:)``), its most telling run: a
    /// completion if there is one for that version, else the latest attempt.
    public func stageStates(assetID: Int64) throws(LibraryError) -> [String: StageRun] {
        var states: [String: StageRun] = [:]
        for run in try stageRuns(assetID: assetID) {
            let key = StageRun.stateKey(stage: run.stage, version: run.stageVersion)
            if let kept = states[key], RunStatus.isCompletion(kept.status) { continue }
            states[key] = run
        }
        return states
    }

    /// The most recent finished run of `source` whose sync failed (no asset), if the last run on it failed so.
    public func lastFailedSync(source: String) throws(LibraryError) -> PipelineRun? {
        guard let last = try lastFinishedPipelineRun(source: source),
              last.status == RunStatus.failed.rawValue, last.assetID == nil else { return nil }
        return last
    }

    // MARK: Clips and branches

    /// Bookmarks `[start, end)` of an asset.
    /// - Throws: ``LibraryError`` `invalid_argument` when the range is empty or
    ///   outside the asset's known duration, `not_found` without the asset.
    public func createClip(_ clip: AssetClip) throws(LibraryError) -> AssetClip {
        guard clip.startTime.isFinite, clip.endTime.isFinite, clip.startTime >= 0, clip.endTime > clip.startTime else {
            throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                               message: "clip range [\(clip.startTime), \(clip.endTime)) is empty or negative")
        }
        guard let source = try asset(id: clip.sourceAssetID) else {
            throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .notFound, message: "no such asset")
        }
        if let duration = source.durationSec {
            if clip.startTime >= duration {
                throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                                   message: String(format: "clip starts at %.3f s, after the asset ends (%.3f s)", clip.startTime, duration))
            }
            // The end may reach one frame past the stated duration (the last frame's own length), no further:
            // a bookmark that cannot be rendered is refused now rather than failing later.
            let frame = (source.fps ?? 0) > 0 ? 1 / (source.fps ?? 1) : 0.04
            if clip.endTime > duration + frame {
                throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                                   message: String(format: "clip ends at %.3f s, after the asset ends (%.3f s)", clip.endTime, duration))
            }
        }
        return try insertClip(clip)
    }

    /// Creates a branch point at `branchTime` seconds into its source (its frame from the source's rate when not given).
    public func createBranch(_ branch: AssetBranch) throws(LibraryError) -> AssetBranch {
        guard branch.branchTime > 0 else {
            throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .invalidArgument,
                               message: "a branch point must be after the start (got \(branch.branchTime) s)")
        }
        guard let source = try asset(id: branch.sourceAssetID) else {
            throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .notFound, message: "no such asset")
        }
        if let duration = source.durationSec, branch.branchTime > duration {
            throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .invalidArgument,
                               message: String(format: "branch at %.3f s is after the asset ends (%.3f s)", branch.branchTime, duration))
        }
        var row = branch
        if row.branchFrame == nil, let fps = source.fps, fps > 0 {
            row.branchFrame = Int((branch.branchTime * fps).rounded())
        }
        return try insertBranch(row)
    }

    /// The branches of an asset, by time, each with its variants.
    public func branches(of assetID: Int64) throws(LibraryError) -> [(branch: AssetBranch, variants: [BranchVariant])] {
        var result: [(branch: AssetBranch, variants: [BranchVariant])] = []
        for branch in try branchRows(of: assetID) {
            result.append((branch, try variants(of: branch.storedID)))
        }
        return result
    }

    /// The variant of a branch with this tag (or, failing that, this name).
    public func variant(branchID: Int64, tag: String) throws(LibraryError) -> BranchVariant {
        let all = try variants(of: branchID)
        if let byTag = all.first(where: { $0.variantTag == tag }) { return byTag }
        if let byName = all.first(where: { $0.variantName == tag }) { return byName }
        let known = all.compactMap { $0.variantTag ?? $0.variantName }.joined(separator: ", ")
        throw LibraryError(subject: "branch \(branchID)", code: .notFound,
                           message: "no variant tagged '\(tag)'" + (known.isEmpty ? " (the branch has no variants)" : " (variants: \(known))"))
    }

    /// Records a composition: one `compose_input` edge per input, in order.
    public func recordComposition(inputs: [Int64], resultAssetID: Int64, transformation: String?) throws(LibraryError) {
        let job = "compose:" + inputs.map(String.init).joined(separator: "+")
        try addLineageEdges(inputs.enumerated().compactMap { order, input in
            input == resultAssetID ? nil : LineageEdge(
                childAssetID: resultAssetID, parentAssetID: input, parentRole: "compose_input", operationType: "compose",
                operationJobID: job, transformation: transformation, sequenceOrder: order)
        })
    }
}

/// One item of a rendered timeline: the asset, the part of it used, and what was done to it.
public struct TimelineCompositionInput: Sendable {
    public var assetID: Int64
    public var startTime: Double
    public var endTime: Double
    public var transformation: String?

    public init(assetID: Int64, startTime: Double, endTime: Double, transformation: String?) {
        self.assetID = assetID
        self.startTime = startTime
        self.endTime = endTime
        self.transformation = transformation
    }
}

extension LibraryStore {
    /// Records a timeline composition: one `compose_input` edge per item, in
    /// timeline order, with the item's source range (an asset used twice has two edges).
    public func recordTimelineComposition(inputs: [TimelineCompositionInput], resultAssetID: Int64) throws(LibraryError) {
        let job = "compose-timeline:" + inputs.map { String($0.assetID) }.joined(separator: "+")
        try addLineageEdges(inputs.enumerated().compactMap { order, input in
            input.assetID == resultAssetID ? nil : LineageEdge(
                childAssetID: resultAssetID, parentAssetID: input.assetID, parentRole: "compose_input", operationType: "compose",
                operationJobID: job, parentStartTime: input.startTime, parentEndTime: input.endTime,
                transformation: input.transformation, sequenceOrder: order)
        })
    }
}
