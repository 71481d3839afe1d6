import Foundation
import GRDB

extension SQLiteLibraryStore {
    /// Records one derivation edge; recording the same edge again does nothing.
    static func addLineageEdge(_ db: Database, _ edge: LineageEdge) throws {
        try db.execute(sql: """
            INSERT INTO asset_lineage (child_asset_id, parent_asset_id, parent_role, operation_type, operation_job_id,
                parent_start_time, parent_end_time, parent_frame, transformation, sequence_order, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(child_asset_id, parent_asset_id, parent_role, sequence_order) DO NOTHING
            """, arguments: [edge.childAssetID, edge.parentAssetID, edge.parentRole, edge.operationType,
                             edge.operationJobID, edge.parentStartTime, edge.parentEndTime, edge.parentFrame,
                             edge.transformation, edge.sequenceOrder, edge.createdAt])
    }

    /// Whether `ancestor` is `assetID` or one of its ancestors: an edge from
    /// `assetID` (as parent) to `ancestor` (as child) would close a cycle.
    static func isAncestor(_ db: Database, _ ancestor: Int64, of assetID: Int64) throws -> Bool {
        if ancestor == assetID { return true }
        return try Bool.fetchOne(db, sql: """
            WITH RECURSIVE up(id) AS (
                SELECT parent_asset_id FROM asset_lineage WHERE child_asset_id = ?
                UNION SELECT asset_lineage.parent_asset_id FROM asset_lineage JOIN up ON asset_lineage.child_asset_id = up.id)
            SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)
            """, arguments: [assetID, ancestor]) ?? false
    }

    /// Records derivation edges in one transaction.
    public func addLineageEdges(_ edges: [LineageEdge]) throws(LibraryError) {
        try write { db in
            for edge in edges { try Self.addLineageEdge(db, edge) }
        }
    }

    /// The edges into an asset (its direct parents), in sequence order.
    public func parentEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge] {
        try read { db in
            try LineageEdge.filter(LineageEdge.Columns.childAssetID == assetID)
                .order(LineageEdge.Columns.sequenceOrder, LineageEdge.Columns.parentAssetID).fetchAll(db)
        }
    }

    /// The edges out of an asset (its direct children).
    public func childEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge] {
        try read { db in
            try LineageEdge.filter(LineageEdge.Columns.parentAssetID == assetID)
                .order(LineageEdge.Columns.childAssetID, LineageEdge.Columns.sequenceOrder).fetchAll(db)
        }
    }

    /// Everything `assetID` was made from (``LineageGraph/Direction/ancestors``)
    /// or everything made from it (``LineageGraph/Direction/descendants``),
    /// found with one recursive CTE. A cycle (which the pipeline never makes,
    /// but a hand-edited database might hold) ends at `maxDepth`.
    public func lineage(of assetID: Int64, direction: LineageGraph.Direction, maxDepth: Int) throws(LibraryError) -> LineageGraph {
        try read { db in
            let (from, to) = direction == .ancestors ? ("child_asset_id", "parent_asset_id") : ("parent_asset_id", "child_asset_id")
            let depthRows = try Row.fetchAll(db, sql: """
                WITH RECURSIVE reach(asset_id, depth) AS (
                    SELECT ?, 0
                    UNION
                    SELECT l.\(to), reach.depth + 1
                    FROM asset_lineage l JOIN reach ON l.\(from) = reach.asset_id
                    WHERE reach.depth < ?
                )
                SELECT asset_id, MIN(depth) AS depth FROM reach GROUP BY asset_id ORDER BY depth, asset_id
                """, arguments: [assetID, maxDepth])
            var depths: [Int64: Int] = [:]
            for row in depthRows { depths[row["asset_id"]] = row["depth"] }
            let assets = try Asset.fetchAll(db, keys: Array(depths.keys))
            let nodes = assets.map { LineageGraph.Node(asset: files.resolved($0), depth: depths[$0.assetID] ?? 0) }
                .sorted { ($0.depth, $0.asset.assetID) < ($1.depth, $1.asset.assetID) }
            let ids = Array(depths.keys)
            let edges = try LineageEdge
                .filter(ids.contains(LineageEdge.Columns.childAssetID) && ids.contains(LineageEdge.Columns.parentAssetID))
                .order(LineageEdge.Columns.childAssetID, LineageEdge.Columns.sequenceOrder, LineageEdge.Columns.parentAssetID)
                .fetchAll(db)
            return LineageGraph(assetID: assetID, direction: direction, nodes: nodes, edges: edges)
        }
    }
}
