import Foundation
import GRDB

/// Clip bookmarks, branch points and their variants: the narrative tooling's
/// records. Rendering them is the pipeline's job; these only record.
extension MediaStore {
    // MARK: Clips

    /// Bookmarks `[start, end)` of an asset.
    /// - Throws: ``LibraryError`` `invalid_argument` when the range is empty or
    ///   outside the asset's known duration.
    public func createClip(_ clip: AssetClip) throws(LibraryError) -> AssetClip {
        guard clip.startTime.isFinite, clip.endTime.isFinite, clip.startTime >= 0, clip.endTime > clip.startTime else {
            throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                               message: "clip range [\(clip.startTime), \(clip.endTime)) is empty or negative")
        }
        return try write { db in
            guard let source = try Asset.fetchOne(db, key: clip.sourceAssetID) else {
                throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .notFound, message: "no such asset")
            }
            if let duration = source.durationSec, clip.startTime >= duration {
                throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                                   message: String(format: "clip starts at %.3f s, after the asset ends (%.3f s)", clip.startTime, duration))
            }
            // The end may reach one frame past the stated duration (the last frame's own length), no further:
            // a bookmark that cannot be rendered is refused now rather than failing later.
            if let duration = source.durationSec {
                let frame = (source.fps ?? 0) > 0 ? 1 / (source.fps ?? 1) : 0.04
                if clip.endTime > duration + frame {
                    throw LibraryError(subject: "asset \(clip.sourceAssetID)", code: .invalidArgument,
                                       message: String(format: "clip ends at %.3f s, after the asset ends (%.3f s)", clip.endTime, duration))
                }
            }
            var row = clip
            row.id = nil
            try row.insert(db)
            return row
        }
    }

    /// Removes a bookmark that was never rendered (`clips create --render`
    /// whose render failed), so a failure leaves nothing behind. A rendered
    /// clip is kept.
    public func discardUnrenderedClip(id: Int64) throws(LibraryError) {
        try write { db in
            _ = try AssetClip.filter(Column("id") == id && Column("extracted_asset_id") == nil).deleteAll(db)
        }
    }

    public func clip(id: Int64) throws(LibraryError) -> AssetClip? {
        try read { db in try AssetClip.fetchOne(db, key: id) }
    }

    public func clips(of assetID: Int64) throws(LibraryError) -> [AssetClip] {
        try read { db in
            try AssetClip.filter(AssetClip.Columns.sourceAssetID == assetID).order(AssetClip.Columns.startTime, Column("id")).fetchAll(db)
        }
    }

    /// Records that a clip was rendered as `extracted`, with the lineage edge
    /// carrying the parent's time range, in one transaction.
    public func recordClipRender(clipID: Int64, extractedAssetID: Int64, playbackMetadata: String?) throws(LibraryError) -> AssetClip {
        try write { db in
            guard var clip = try AssetClip.fetchOne(db, key: clipID) else {
                throw LibraryError(subject: "clip \(clipID)", code: .notFound, message: "no such clip")
            }
            clip.extractedAssetID = extractedAssetID
            clip.playbackMetadata = playbackMetadata
            try clip.update(db)
            if extractedAssetID != clip.sourceAssetID {
                try Self.addLineageEdge(db, LineageEdge(
                    childAssetID: extractedAssetID, parentAssetID: clip.sourceAssetID, parentRole: "clip_source",
                    operationType: "clip", operationJobID: "clip:\(clipID)", parentStartTime: clip.startTime,
                    parentEndTime: clip.endTime, transformation: playbackMetadata, sequenceOrder: 0))
            }
            return clip
        }
    }

    // MARK: Branches

    /// Creates a branch point at `branchTime` seconds into its source.
    public func createBranch(_ branch: AssetBranch) throws(LibraryError) -> AssetBranch {
        guard branch.branchTime > 0 else {
            throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .invalidArgument,
                               message: "a branch point must be after the start (got \(branch.branchTime) s)")
        }
        return try write { db in
            guard let source = try Asset.fetchOne(db, key: branch.sourceAssetID) else {
                throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .notFound, message: "no such asset")
            }
            if let duration = source.durationSec, branch.branchTime > duration {
                throw LibraryError(subject: "asset \(branch.sourceAssetID)", code: .invalidArgument,
                                   message: String(format: "branch at %.3f s is after the asset ends (%.3f s)", branch.branchTime, duration))
            }
            var row = branch
            row.id = nil
            if row.branchFrame == nil, let fps = source.fps, fps > 0 {
                row.branchFrame = Int((branch.branchTime * fps).rounded())
            }
            try row.insert(db)
            return row
        }
    }

    /// Adds a variant continuation to a branch.
    /// - Throws: ``LibraryError`` `invalid_argument` if the tag is already used in this branch.
    public func addVariant(_ variant: BranchVariant) throws(LibraryError) -> BranchVariant {
        try write { db in
            guard try AssetBranch.exists(db, key: variant.branchID) else {
                throw LibraryError(subject: "branch \(variant.branchID)", code: .notFound, message: "no such branch")
            }
            guard try Asset.exists(db, key: variant.variantAssetID) else {
                throw LibraryError(subject: "asset \(variant.variantAssetID)", code: .notFound, message: "no such asset")
            }
            if let tag = variant.variantTag,
               try BranchVariant.filter(BranchVariant.Columns.branchID == variant.branchID && BranchVariant.Columns.variantTag == tag).fetchCount(db) > 0 {
                throw LibraryError(subject: "branch \(variant.branchID)", code: .invalidArgument,
                                   message: "already has a variant tagged '\(tag)'")
            }
            var row = variant
            row.id = nil
            try row.insert(db)
            return row
        }
    }

    public func branch(id: Int64) throws(LibraryError) -> AssetBranch? {
        try read { db in try AssetBranch.fetchOne(db, key: id) }
    }

    /// The branches of an asset, by time, each with its variants.
    public func branches(of assetID: Int64) throws(LibraryError) -> [(branch: AssetBranch, variants: [BranchVariant])] {
        let rows = try read { db in
            try AssetBranch.filter(AssetBranch.Columns.sourceAssetID == assetID)
                .order(AssetBranch.Columns.branchTime, Column("id")).fetchAll(db)
        }
        var result: [(branch: AssetBranch, variants: [BranchVariant])] = []
        for branch in rows {
            result.append((branch, try variants(of: branch.storedID)))
        }
        return result
    }

    public func variants(of branchID: Int64) throws(LibraryError) -> [BranchVariant] {
        try read { db in
            try BranchVariant.filter(BranchVariant.Columns.branchID == branchID).order(Column("id")).fetchAll(db)
        }
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

    /// Records that a branch path was rendered as `renderedAssetID`: lineage
    /// edges to the source (`branch_source`, the part before the branch time)
    /// and to the variant (`branch_variant`), in that order, in one transaction.
    public func recordBranchRender(branch: AssetBranch, variant: BranchVariant, renderedAssetID: Int64,
                                   transformation: String?) throws(LibraryError) {
        try write { db in
            let job = "branch:\(branch.storedID):variant:\(variant.storedID)"
            if branch.sourceAssetID != renderedAssetID {
                try Self.addLineageEdge(db, LineageEdge(
                    childAssetID: renderedAssetID, parentAssetID: branch.sourceAssetID, parentRole: "branch_source",
                    operationType: "branch_render", operationJobID: job, parentStartTime: 0, parentEndTime: branch.branchTime,
                    parentFrame: branch.branchFrame, transformation: transformation, sequenceOrder: 0))
            }
            if variant.variantAssetID != renderedAssetID {
                try Self.addLineageEdge(db, LineageEdge(
                    childAssetID: renderedAssetID, parentAssetID: variant.variantAssetID, parentRole: "branch_variant",
                    operationType: "branch_render", operationJobID: job, transformation: transformation, sequenceOrder: 1))
            }
            try db.execute(sql: "UPDATE asset_branch_variants SET rendered_asset_id = ? WHERE id = ?",
                           arguments: [renderedAssetID, variant.id])
        }
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
