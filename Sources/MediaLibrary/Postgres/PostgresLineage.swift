import Foundation
import PostgresNIO

extension PostgresLibraryStore {
    /// Records one derivation edge (inside the caller's transaction); the same edge again does nothing.
    static func addLineageEdge(_ connection: PostgresConnection, _ e: LineageEdge, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO asset_lineage (child_asset_id, parent_asset_id, parent_role, operation_type, operation_job_id,
                parent_start_time, parent_end_time, parent_frame, transformation, sequence_order, created_at)
            VALUES (\(e.childAssetID), \(e.parentAssetID), \(e.parentRole), \(e.operationType), \(e.operationJobID),
                \(e.parentStartTime), \(e.parentEndTime), \(e.parentFrame), \(e.transformation), \(e.sequenceOrder), \(e.createdAt))
            ON CONFLICT (child_asset_id, parent_asset_id, parent_role, sequence_order) DO NOTHING
            """, logger: logger)
    }

    /// Whether `ancestor` is `assetID` or one of its ancestors (inside the caller's transaction):
    /// an edge from `assetID` (as parent) to `ancestor` (as child) would close a cycle.
    static func isAncestor(_ connection: PostgresConnection, _ ancestor: Int64, of assetID: Int64, logger: Logger) async throws -> Bool {
        if ancestor == assetID { return true }
        return try await scalar(Bool.self, """
            WITH RECURSIVE up(id) AS (
                SELECT parent_asset_id FROM asset_lineage WHERE child_asset_id = \(assetID)
                UNION SELECT l.parent_asset_id FROM asset_lineage l JOIN up ON l.child_asset_id = up.id)
            SELECT EXISTS (SELECT 1 FROM up WHERE id = \(ancestor))
            """, on: connection, logger: logger) ?? false
    }

    public func addLineageEdges(_ edges: [LineageEdge]) throws(LibraryError) {
        try transaction { [logger = self.logger] connection in
            for edge in edges { try await PostgresLibraryStore.addLineageEdge(connection, edge, logger: logger) }
        }
    }

    public func parentEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge] {
        try records(LineageEdge.self, """
            SELECT row_to_json(l)::text FROM asset_lineage l WHERE child_asset_id = \(assetID) ORDER BY sequence_order, parent_asset_id
            """)
    }

    public func childEdges(of assetID: Int64) throws(LibraryError) -> [LineageEdge] {
        try records(LineageEdge.self, """
            SELECT row_to_json(l)::text FROM asset_lineage l WHERE parent_asset_id = \(assetID) ORDER BY child_asset_id, sequence_order
            """)
    }

    /// One recursive CTE, as on SQLite; `UNION` (not `UNION ALL`) and `maxDepth` end a hand-made cycle.
    public func lineage(of assetID: Int64, direction: LineageGraph.Direction, maxDepth: Int) throws(LibraryError) -> LineageGraph {
        try run { store in
            try await store.client.withConnection { connection in
                // Column names from the direction (never from input), spliced unescaped; values are binds.
                let (from, to) = direction == .ancestors ? ("child_asset_id", "parent_asset_id") : ("parent_asset_id", "child_asset_id")
                let reach: PostgresQuery = """
                    WITH RECURSIVE reach(asset_id, depth) AS (
                        SELECT \(assetID)::bigint, 0
                        UNION
                        SELECT l.\(unescaped: to), reach.depth + 1 FROM asset_lineage l JOIN reach ON l.\(unescaped: from) = reach.asset_id
                        WHERE reach.depth < \(maxDepth)
                    )
                    SELECT asset_id, MIN(depth)::bigint FROM reach GROUP BY asset_id
                    """
                var depths: [Int64: Int] = [:]
                for try await (id, depth) in try await connection.query(reach, logger: store.logger).decode((Int64, Int64).self) {
                    depths[id] = Int(depth)
                }
                let ids = Array(depths.keys)
                let assets = try await PostgresLibraryStore.records(Asset.self, """
                    SELECT row_to_json(a)::text FROM assets a WHERE id = ANY(\(ids))
                    """, on: connection, logger: store.logger)
                let nodes = assets.map { LineageGraph.Node(asset: store.files.resolved($0), depth: depths[$0.assetID] ?? 0) }
                    .sorted { ($0.depth, $0.asset.assetID) < ($1.depth, $1.asset.assetID) }
                let edges = try await PostgresLibraryStore.records(LineageEdge.self, """
                    SELECT row_to_json(l)::text FROM asset_lineage l
                    WHERE child_asset_id = ANY(\(ids)) AND parent_asset_id = ANY(\(ids))
                    ORDER BY child_asset_id, sequence_order, parent_asset_id
                    """, on: connection, logger: store.logger)
                return LineageGraph(assetID: assetID, direction: direction, nodes: nodes, edges: edges)
            }
        }
    }

    // MARK: Generations

    public func recordGeneration(_ generation: Generation, parents: [GenerationParent]) throws(LibraryError) -> Generation {
        try transaction { [logger = self.logger] connection in
            let g = generation
            var stored: Generation
            if let jobID = g.providerJobID, let existing = try await PostgresLibraryStore.records(Generation.self, """
                SELECT row_to_json(g)::text FROM generations g WHERE provider_id = \(g.providerID) AND provider_job_id = \(jobID) FOR UPDATE
                """, on: connection, logger: logger).first {
                stored = existing
                if stored.resultAssetID == nil, let result = g.resultAssetID {
                    stored.resultAssetID = result
                    try await connection.query("UPDATE generations SET result_asset_id = \(result) WHERE id = \(stored.id)", logger: logger)
                }
            } else {
                stored = g
                stored.id = try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO generations (provider_id, provider_job_id, operation_type, prompt, params, result_asset_id,
                        submitted_at, completed_at, created_at)
                    VALUES (\(g.providerID), \(g.providerJobID), \(g.operationType), \(g.prompt), \(g.params), \(g.resultAssetID),
                        \(g.submittedAt), \(g.completedAt), \(g.createdAt))
                    RETURNING id
                    """, on: connection, logger: logger)
            }
            guard let generationID = stored.id else { return stored }
            if let child = stored.resultAssetID {
                // The first generation stays the asset's source; every one is linked (a second manifest
                // naming the same result bytes must not take the first one's place).
                try await connection.query("""
                    UPDATE assets SET source_generation_id = COALESCE(source_generation_id, \(generationID)),
                        provider_id = COALESCE(provider_id, \(stored.providerID)),
                        provider_asset_id = COALESCE(provider_asset_id, \(stored.providerJobID))
                    WHERE id = \(child)
                    """, logger: logger)
                try await connection.query("""
                    INSERT INTO asset_generations (asset_id, generation_id, created_at) VALUES (\(child), \(generationID), \(Date()))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                for (position, parent) in parents.enumerated() {
                    // A generation cannot derive from its own result, nor from anything derived from it.
                    if parent.assetID == child {
                        throw LibraryError(subject: "asset \(child)", code: .invalidArgument,
                                           message: "parent \(position) (\(parent.role)) is the result itself")
                    }
                    if try await PostgresLibraryStore.isAncestor(connection, child, of: parent.assetID, logger: logger) {
                        throw LibraryError(subject: "asset \(child)", code: .invalidArgument,
                                           message: "parent \(position) (\(parent.role)), asset \(parent.assetID), derives from the result; the lineage would be a cycle")
                    }
                    try await PostgresLibraryStore.addLineageEdge(connection, LineageEdge(
                        childAssetID: child, parentAssetID: parent.assetID, parentRole: parent.role,
                        operationType: stored.operationType, operationJobID: stored.providerJobID,
                        parentStartTime: parent.startTime, parentEndTime: parent.endTime, parentFrame: parent.frame,
                        transformation: parent.transformation, sequenceOrder: parent.sequenceOrder), logger: logger)
                }
            }
            return stored
        }
    }

    public func generation(id: Int64) throws(LibraryError) -> Generation? {
        try record(Generation.self, "SELECT row_to_json(g)::text FROM generations g WHERE id = \(id)")
    }

    /// Every generation whose result is `assetID`, oldest first.
    public func generations(ofAsset assetID: Int64) throws(LibraryError) -> [Generation] {
        try records(Generation.self, """
            SELECT row_to_json(g)::text FROM generations g JOIN asset_generations ag ON ag.generation_id = g.id
            WHERE ag.asset_id = \(assetID) ORDER BY g.id
            """)
    }

    public func generationCount() throws(LibraryError) -> Int {
        let count = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(Int64.self, "SELECT count(*) FROM generations", on: connection, logger: store.logger)
            }
        }
        return Int(count ?? 0)
    }
}
