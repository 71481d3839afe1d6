import Foundation
import PostgresNIO

extension PostgresLibraryStore {
    public func insertClip(_ clip: AssetClip) throws(LibraryError) -> AssetClip {
        var row = clip
        row.id = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO asset_clips (source_asset_id, start_time, end_time, clip_name, clip_tag, extracted_asset_id,
                        playback_metadata, created_at)
                    VALUES (\(clip.sourceAssetID), \(clip.startTime), \(clip.endTime), \(clip.clipName), \(clip.clipTag),
                        \(clip.extractedAssetID), \(clip.playbackMetadata), \(clip.createdAt))
                    RETURNING id
                    """, on: connection, logger: store.logger)
            }
        }
        return row
    }

    public func discardUnrenderedClip(id: Int64) throws(LibraryError) {
        try run { (store) -> Void in
            _ = try await store.client.query("DELETE FROM asset_clips WHERE id = \(id) AND extracted_asset_id IS NULL",
                                             logger: store.logger)
        }
    }

    public func clip(id: Int64) throws(LibraryError) -> AssetClip? {
        try record(AssetClip.self, "SELECT row_to_json(c)::text FROM asset_clips c WHERE id = \(id)")
    }

    public func clips(of assetID: Int64) throws(LibraryError) -> [AssetClip] {
        try records(AssetClip.self, """
            SELECT row_to_json(c)::text FROM asset_clips c WHERE source_asset_id = \(assetID) ORDER BY start_time, id
            """)
    }

    public func recordClipRender(clipID: Int64, extractedAssetID: Int64, playbackMetadata: String?) throws(LibraryError) -> AssetClip {
        try transaction { [logger = self.logger] connection in
            guard var clip = try await PostgresLibraryStore.records(AssetClip.self, """
                SELECT row_to_json(c)::text FROM asset_clips c WHERE id = \(clipID) FOR UPDATE
                """, on: connection, logger: logger).first else {
                throw LibraryError(subject: "clip \(clipID)", code: .notFound, message: "no such clip")
            }
            clip.extractedAssetID = extractedAssetID
            clip.playbackMetadata = playbackMetadata
            try await connection.query("""
                UPDATE asset_clips SET extracted_asset_id = \(extractedAssetID), playback_metadata = \(playbackMetadata) WHERE id = \(clipID)
                """, logger: logger)
            if extractedAssetID != clip.sourceAssetID {
                try await PostgresLibraryStore.addLineageEdge(connection, LineageEdge(
                    childAssetID: extractedAssetID, parentAssetID: clip.sourceAssetID, parentRole: "clip_source",
                    operationType: "clip", operationJobID: "clip:\(clipID)", parentStartTime: clip.startTime,
                    parentEndTime: clip.endTime, transformation: playbackMetadata, sequenceOrder: 0), logger: logger)
            }
            return clip
        }
    }

    public func insertBranch(_ branch: AssetBranch) throws(LibraryError) -> AssetBranch {
        var row = branch
        row.id = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO asset_branches (source_asset_id, branch_time, branch_frame, branch_name, branch_tag, branch_type,
                        game_metadata, created_at)
                    VALUES (\(branch.sourceAssetID), \(branch.branchTime), \(branch.branchFrame), \(branch.branchName),
                        \(branch.branchTag), \(branch.branchType), \(branch.gameMetadata), \(branch.createdAt))
                    RETURNING id
                    """, on: connection, logger: store.logger)
            }
        }
        return row
    }

    public func addVariant(_ variant: BranchVariant) throws(LibraryError) -> BranchVariant {
        let v = variant
        let id = try transaction { [logger = self.logger] (connection) -> Int64? in
            guard try await PostgresLibraryStore.scalar(Int64.self, "SELECT id FROM asset_branches WHERE id = \(v.branchID)",
                                                        on: connection, logger: logger) != nil else {
                throw LibraryError(subject: "branch \(v.branchID)", code: .notFound, message: "no such branch")
            }
            guard try await PostgresLibraryStore.scalar(Int64.self, "SELECT id FROM assets WHERE id = \(v.variantAssetID)",
                                                        on: connection, logger: logger) != nil else {
                throw LibraryError(subject: "asset \(v.variantAssetID)", code: .notFound, message: "no such asset")
            }
            // ON CONFLICT on the (branch_id, variant_tag) index: a tag already used returns no id.
            let inserted = try await PostgresLibraryStore.scalar(Int64.self, """
                INSERT INTO asset_branch_variants (branch_id, variant_asset_id, variant_name, variant_tag, weight, conditions,
                    rendered_asset_id, created_at)
                VALUES (\(v.branchID), \(v.variantAssetID), \(v.variantName), \(v.variantTag), \(v.weight), \(v.conditions),
                    \(v.renderedAssetID), \(v.createdAt))
                ON CONFLICT (branch_id, variant_tag) DO NOTHING
                RETURNING id
                """, on: connection, logger: logger)
            if inserted == nil, let tag = v.variantTag {
                throw LibraryError(subject: "branch \(v.branchID)", code: .invalidArgument, message: "already has a variant tagged '\(tag)'")
            }
            return inserted
        }
        var row = variant
        row.id = id
        return row
    }

    public func branch(id: Int64) throws(LibraryError) -> AssetBranch? {
        try record(AssetBranch.self, "SELECT row_to_json(b)::text FROM asset_branches b WHERE id = \(id)")
    }

    public func branchRows(of assetID: Int64) throws(LibraryError) -> [AssetBranch] {
        try records(AssetBranch.self, """
            SELECT row_to_json(b)::text FROM asset_branches b WHERE source_asset_id = \(assetID) ORDER BY branch_time, id
            """)
    }

    public func variants(of branchID: Int64) throws(LibraryError) -> [BranchVariant] {
        try records(BranchVariant.self, "SELECT row_to_json(v)::text FROM asset_branch_variants v WHERE branch_id = \(branchID) ORDER BY id")
    }

    public func recordBranchRender(branch: AssetBranch, variant: BranchVariant, renderedAssetID: Int64,
                                   transformation: String?) throws(LibraryError) {
        try transaction { [logger = self.logger] connection in
            let job = "branch:\(branch.storedID):variant:\(variant.storedID)"
            if branch.sourceAssetID != renderedAssetID {
                try await PostgresLibraryStore.addLineageEdge(connection, LineageEdge(
                    childAssetID: renderedAssetID, parentAssetID: branch.sourceAssetID, parentRole: "branch_source",
                    operationType: "branch_render", operationJobID: job, parentStartTime: 0, parentEndTime: branch.branchTime,
                    parentFrame: branch.branchFrame, transformation: transformation, sequenceOrder: 0), logger: logger)
            }
            if variant.variantAssetID != renderedAssetID {
                try await PostgresLibraryStore.addLineageEdge(connection, LineageEdge(
                    childAssetID: renderedAssetID, parentAssetID: variant.variantAssetID, parentRole: "branch_variant",
                    operationType: "branch_render", operationJobID: job, transformation: transformation, sequenceOrder: 1),
                    logger: logger)
            }
            try await connection.query("UPDATE asset_branch_variants SET rendered_asset_id = \(renderedAssetID) WHERE id = \(variant.id)",
                                       logger: logger)
        }
    }
}
