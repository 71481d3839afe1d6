import Foundation
import MediaLibrary
import MediaOps

/// Renders the library's clips, branch paths and compositions into new
/// assets with lineage, through the editing operations' seams
/// (``ClipRendering``, ``ConcatRendering``).
public struct LibraryEditor: Sendable {
    public var runner: PipelineRunner
    public var options: PipelineRunner.Options
    public var store: any LibraryStore { runner.store }

    public init(runner: PipelineRunner, options: PipelineRunner.Options) {
        self.runner = runner
        self.options = options
    }

    /// A rendered asset and where its file is.
    public struct Rendered: Sendable {
        public var asset: Asset
        public var outputPath: String
        public var facts: RenderFacts
    }

    /// Renders a bookmark just created for this render (`clips create
    /// --render`): when the render fails the bookmark is removed again, so the
    /// failure leaves no unrendered bookmark behind.
    public func renderNewClip(id clipID: Int64, mode: String) throws(PipelineError) -> Rendered {
        do {
            return try renderClip(id: clipID, mode: mode)
        } catch {
            try? store.discardUnrenderedClip(id: clipID)
            throw error
        }
    }

    /// Renders a clip bookmark as a new asset whose lineage edge carries the
    /// parent's time range (`parent_start_time`, `parent_end_time`).
    public func renderClip(id clipID: Int64, mode: String) throws(PipelineError) -> Rendered {
        guard let clips = runner.operations.clips else { throw unavailable("clip rendering", branch: "editing (clip)") }
        guard let clip = try wrap({ () throws(LibraryError) in try store.clip(id: clipID) }) else {
            throw PipelineError(subject: "clip \(clipID)", code: .invalidArgument, message: "no such clip")
        }
        let source = try sourceFile(clip.sourceAssetID)
        let temporary = store.files.makeTemporaryPath(pathExtension: "mp4")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let facts: RenderFacts
        do { facts = try clips.renderClip(input: source, start: clip.startTime, end: clip.endTime, output: temporary.path, mode: mode) } catch {
            throw PipelineError(subject: source, error)
        }
        let asset = try ingestRendered(temporary, name: "clip \(clipID)")
        let metadata = PipelineRunner.json(facts)
        _ = try wrap { () throws(LibraryError) in
            try store.recordClipRender(clipID: clipID, extractedAssetID: asset.assetID, playbackMetadata: metadata)
        }
        return Rendered(asset: asset, outputPath: asset.localPath ?? "", facts: facts)
    }

    /// Renders the source up to the branch time followed by the variant, as a
    /// new asset with edges `branch_source` then `branch_variant`, and copies
    /// it to `output`.
    public func renderBranch(id branchID: Int64, variantTag: String, output: String, trimDuplicateJoins: Bool) throws(PipelineError) -> Rendered {
        guard let clips = runner.operations.clips else { throw unavailable("branch rendering", branch: "editing (clip)") }
        guard let concat = runner.operations.concat else { throw unavailable("branch rendering", branch: "editing (concat)") }
        guard let branch = try wrap({ () throws(LibraryError) in try store.branch(id: branchID) }) else {
            throw PipelineError(subject: "branch \(branchID)", code: .invalidArgument, message: "no such branch")
        }
        let variant = try wrap { () throws(LibraryError) in try store.variant(branchID: branchID, tag: variantTag) }
        let sourceFile = try sourceFile(branch.sourceAssetID)
        let variantFile = try self.sourceFile(variant.variantAssetID)
        let destination = try outputDestination(output, inputs: [sourceFile, variantFile])
        defer { destination.discardIfUncommitted() }
        let head = store.files.makeTemporaryPath(pathExtension: "mp4")
        defer { try? FileManager.default.removeItem(at: head) }
        let headFacts: RenderFacts
        do { headFacts = try clips.renderClip(input: sourceFile, start: 0, end: branch.branchTime, output: head.path, mode: "smart") } catch {
            throw PipelineError(subject: sourceFile, error)
        }
        let facts: RenderFacts
        do {
            facts = try concat.concatenate(inputs: [head.path, variantFile], output: destination.temporaryPath,
                                           trimDuplicateJoins: trimDuplicateJoins)
        } catch { throw PipelineError(subject: output, error) }
        do { try destination.commit() } catch { throw PipelineError(error) }
        let asset = try ingestRendered(URL(fileURLWithPath: output), name: output)
        let transformation = PipelineRunner.json(BranchTransformation(head: headFacts, joined: facts, trimDuplicateJoins: trimDuplicateJoins))
        try wrap { () throws(LibraryError) in
            try store.recordBranchRender(branch: branch, variant: variant, renderedAssetID: asset.assetID, transformation: transformation)
        }
        return Rendered(asset: asset, outputPath: output, facts: facts)
    }

    struct BranchTransformation: Codable {
        var head: RenderFacts
        var joined: RenderFacts
        var trimDuplicateJoins: Bool
    }

    /// Concatenates assets in order into `output`, as a new asset with one
    /// `compose_input` edge per input.
    public func compose(assetIDs: [Int64], output: String, trimDuplicateJoins: Bool) throws(PipelineError) -> Rendered {
        guard let concat = runner.operations.concat else { throw unavailable("compose", branch: "editing (concat)") }
        guard !assetIDs.isEmpty else { throw PipelineError(subject: "compose", code: .invalidArgument, message: "no assets given") }
        var inputs: [String] = []
        for id in assetIDs { inputs.append(try sourceFile(id)) }
        let destination = try outputDestination(output, inputs: inputs)
        defer { destination.discardIfUncommitted() }
        let facts: RenderFacts
        do { facts = try concat.concatenate(inputs: inputs, output: destination.temporaryPath, trimDuplicateJoins: trimDuplicateJoins) } catch {
            throw PipelineError(subject: output, error)
        }
        do { try destination.commit() } catch { throw PipelineError(error) }
        let asset = try ingestRendered(URL(fileURLWithPath: output), name: output)
        let transformation = PipelineRunner.json(facts)
        try wrap { () throws(LibraryError) in
            try store.recordComposition(inputs: assetIDs, resultAssetID: asset.assetID, transformation: transformation)
        }
        return Rendered(asset: asset, outputPath: output, facts: facts)
    }

    // MARK: Helpers

    func sourceFile(_ assetID: Int64) throws(PipelineError) -> String {
        guard let asset = try wrap({ () throws(LibraryError) in try store.asset(id: assetID) }) else {
            throw PipelineError(subject: "asset \(assetID)", code: .invalidArgument, message: "no such asset")
        }
        guard let path = asset.localPath,
              FileManager.default.fileExists(atPath: path) || asset.originalPath != nil || asset.remoteURL != nil else {
            throw PipelineError(subject: "asset \(assetID)", code: .stageFailed, message: "its file is missing from the library")
        }
        // Never render from bytes that are not the asset's (issue 15 item 5); repair from the original when possible.
        let check = StoredFileIntegrity(store: store).check(asset, repair: true)
        guard check.verdict == .intact || check.verdict == .repaired else {
            throw PipelineError(subject: "asset \(assetID)", code: .stageFailed,
                                message: "stored file is not usable: \(check.detail) (see pixsim-media verify --repair)")
        }
        // What `evict` orders by: a file rendered from was used now.
        try? store.recordAccess(assetID: assetID)
        return path
    }

    private func outputDestination(_ output: String, inputs: [String]) throws(PipelineError) -> OutputDestination {
        do { return try OutputDestination(path: output, inputs: inputs) } catch { throw PipelineError(error) }
    }

    func ingestRendered(_ file: URL, name: String) throws(PipelineError) -> Asset {
        let outcome = runner.ingest(.file(path: file.path), options: options, displayName: name)
        guard let id = outcome.assetID, let asset = try wrap({ () throws(LibraryError) in try store.asset(id: id) }) else {
            throw outcome.error ?? PipelineError(subject: name, code: .stageFailed, message: "the rendered file could not be ingested")
        }
        return asset
    }

    private func unavailable(_ what: String, branch: String) -> PipelineError {
        PipelineError(subject: what, code: .stageUnavailable,
                      message: "\(what) is not available in this build (it needs the \(branch) operation)")
    }

    private func wrap<T>(_ body: () throws(LibraryError) -> T) throws(PipelineError) -> T {
        do { return try body() } catch { throw PipelineError(error) }
    }
}
