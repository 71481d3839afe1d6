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
                try db.execute(sql: "UPDATE assets SET source_generation_id = ?, provider_id = COALESCE(provider_id, ?), provider_asset_id = COALESCE(provider_asset_id, ?) WHERE id = ?",
                               arguments: [generationID, stored.providerID, stored.providerJobID, child])
                for parent in parents where parent.assetID != child {
                    try Self.addLineageEdge(db, LineageEdge(
                        childAssetID: child, parentAssetID: parent.assetID, parentRole: parent.role,
                        operationType: stored.operationType, operationJobID: stored.providerJobID,
                        parentStartTime: parent.startTime, parentEndTime: parent.endTime, parentFrame: parent.frame,
                        sequenceOrder: parent.sequenceOrder))
                }
            }
            return stored
        }
    }

    public func generation(id: Int64) throws(LibraryError) -> Generation? {
        try read { db in try Generation.fetchOne(db, key: id) }
    }

    public func generationCount() throws(LibraryError) -> Int {
        try read { db in try Generation.fetchCount(db) }
    }
}
