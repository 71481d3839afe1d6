import Foundation
import GRDB

/// Clip bookmarks, branch points and their variants: the narrative tooling's
/// records. Rendering them is the pipeline's job; these only record.
extension SQLiteLibraryStore {
    // MARK: Clips

    public func insertClip(_ clip: AssetClip) throws(LibraryError) -> AssetClip {
        try write { db in
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

    public func insertBranch(_ branch: AssetBranch) throws(LibraryError) -> AssetBranch {
        try write { db in
            var row = branch
            row.id = nil
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

    public func branchRows(of assetID: Int64) throws(LibraryError) -> [AssetBranch] {
        try read { db in
            try AssetBranch.filter(AssetBranch.Columns.sourceAssetID == assetID)
                .order(AssetBranch.Columns.branchTime, Column("id")).fetchAll(db)
        }
    }

    public func variants(of branchID: Int64) throws(LibraryError) -> [BranchVariant] {
        try read { db in
            try BranchVariant.filter(BranchVariant.Columns.branchID == branchID).order(Column("id")).fetchAll(db)
        }
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
}
