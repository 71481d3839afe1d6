import Foundation
import GRDB

extension SQLiteLibraryStore {
    /// Records a completed generation, points its result asset at it, and adds
    /// one lineage edge per parent, in one transaction. The same provider job
    /// recorded twice (a restarted watcher) keeps the first row.
    /// - Returns: the stored generation.
    public func recordGeneration(_ generation: Generation, parents: [GenerationParent]) throws(LibraryError) -> Generation {
        try write { db in
            var stored: Generation
            if let jobID = generation.providerJobID,
               let existing = try Generation.filter(Generation.Columns.providerID == generation.providerID
                                                      && Generation.Columns.providerJobID == jobID).fetchOne(db) {
                stored = existing
                if stored.resultAssetID == nil, let result = generation.resultAssetID {
                    stored.resultAssetID = result
                    try stored.update(db)
                }
            } else {
                stored = generation
                stored.id = nil
                try stored.insert(db)
            }
            guard let generationID = stored.id else { return stored }
            if let child = stored.resultAssetID {
                // The first generation stays the asset's source; every one is linked (a second manifest
                // naming the same result bytes must not take the first one's place).
                try db.execute(sql: "UPDATE assets SET source_generation_id = COALESCE(source_generation_id, ?), provider_id = COALESCE(provider_id, ?), provider_asset_id = COALESCE(provider_asset_id, ?) WHERE id = ?",
                               arguments: [generationID, stored.providerID, stored.providerJobID, child])
                try db.execute(sql: "INSERT INTO asset_generations (asset_id, generation_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [child, generationID, Date()])
                for (position, parent) in parents.enumerated() {
                    // A generation cannot derive from its own result, nor from anything derived from it.
                    if parent.assetID == child {
                        throw LibraryError(subject: "asset \(child)", code: .invalidArgument,
                                           message: "parent \(position) (\(parent.role)) is the result itself")
                    }
                    if try Self.isAncestor(db, child, of: parent.assetID) {
                        throw LibraryError(subject: "asset \(child)", code: .invalidArgument,
                                           message: "parent \(position) (\(parent.role)), asset \(parent.assetID), derives from the result; the lineage would be a cycle")
                    }
                    try Self.addLineageEdge(db, LineageEdge(
                        childAssetID: child, parentAssetID: parent.assetID, parentRole: parent.role,
                        operationType: stored.operationType, operationJobID: stored.providerJobID,
                        parentStartTime: parent.startTime, parentEndTime: parent.endTime, parentFrame: parent.frame,
                        transformation: parent.transformation, sequenceOrder: parent.sequenceOrder))
                }
            }
            return stored
        }
    }

    public func generation(id: Int64) throws(LibraryError) -> Generation? {
        try read { db in try Generation.fetchOne(db, key: id) }
    }

    /// Every generation whose result is `assetID`, oldest first.
    public func generations(ofAsset assetID: Int64) throws(LibraryError) -> [Generation] {
        try read { db in
            try Generation.fetchAll(db, sql: """
                SELECT generations.* FROM generations JOIN asset_generations ON asset_generations.generation_id = generations.id
                WHERE asset_generations.asset_id = ? ORDER BY generations.id
                """, arguments: [assetID])
        }
    }

    public func generationCount() throws(LibraryError) -> Int {
        try read { db in try Generation.fetchCount(db) }
    }
}
