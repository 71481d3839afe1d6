import Foundation
import PostgresNIO

extension PostgresLibraryStore {
    public func startPipelineRun(source: String, stages: [String]) throws(LibraryError) -> PipelineRun {
        var run = PipelineRun(source: source, stages: stages.joined(separator: ","), processID: Int64(getpid()))
        let r = run
        run.id = try self.run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO pipeline_runs (source, asset_id, stages, status, error, process_id, started_at)
                    VALUES (\(r.source), \(r.assetID), \(r.stages), \(r.status), \(r.error), \(r.processID), \(r.startedAt))
                    RETURNING id
                    """, on: connection, logger: store.logger)
            }
        }
        return run
    }

    public func finishPipelineRun(id: Int64, assetID: Int64?, status: RunStatus, error: String?) throws(LibraryError) {
        let now = Date()
        try run { (store) -> Void in
            _ = try await store.client.query("""
                UPDATE pipeline_runs SET asset_id = COALESCE(\(assetID), asset_id), status = \(status.rawValue), error = \(error),
                    finished_at = \(now), duration_sec = EXTRACT(EPOCH FROM (\(now)::timestamptz - started_at))::double precision
                WHERE id = \(id)
                """, logger: store.logger)
        }
    }

    public func runningPipelineRuns() throws(LibraryError) -> [PipelineRun] {
        try records(PipelineRun.self, "SELECT row_to_json(r)::text FROM pipeline_runs r WHERE status = 'running' ORDER BY id")
    }

    public func markInterrupted(runIDs: [Int64], message: String) throws(LibraryError) -> Int {
        guard !runIDs.isEmpty else { return 0 }
        return try transaction { [logger = self.logger] connection in
            try await connection.query("""
                UPDATE stage_runs SET status = 'interrupted', error = \(message)
                WHERE status = 'running' AND pipeline_run_id = ANY(\(runIDs))
                """, logger: logger)
            let changed = try await PostgresLibraryStore.scalar(Int64.self, """
                WITH changed AS (
                    UPDATE pipeline_runs SET status = 'interrupted', error = \(message)
                    WHERE status = 'running' AND id = ANY(\(runIDs)) RETURNING id)
                SELECT count(*) FROM changed
                """, on: connection, logger: logger)
            return Int(changed ?? 0)
        }
    }

    public func startStageRun(pipelineRunID: Int64, assetID: Int64?, stage: String, version: Int) throws(LibraryError) -> StageRun {
        var row = StageRun(pipelineRunID: pipelineRunID, assetID: assetID, stage: stage, stageVersion: version)
        let r = row
        row.id = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO stage_runs (pipeline_run_id, asset_id, stage, stage_version, status, started_at)
                    VALUES (\(r.pipelineRunID), \(r.assetID), \(r.stage), \(r.stageVersion), \(r.status), \(r.startedAt))
                    RETURNING id
                    """, on: connection, logger: store.logger)
            }
        }
        return row
    }

    public func failStageRun(id: Int64, error: String, status: RunStatus) throws(LibraryError) {
        try transaction { [logger = self.logger] connection in
            try await PostgresLibraryStore.close(connection, stageRunID: id, status: status, error: error, result: nil, logger: logger)
        }
    }

    /// Two statements besides the results (it used to be four or five): the first locks the run
    /// and then its asset's row; the second, with a snapshot taken after those locks were granted,
    /// names the run's asset and closes it as `superseded` when another completion of the same
    /// stage on the same asset committed first, else with `status` and `result`. Completions of
    /// one asset take turns on the asset row, so two never both apply their results; the results
    /// are written only when this run is the one that counts. (The check cannot share the locking
    /// statement: under READ COMMITTED a statement that waited for a lock still reads with the
    /// snapshot it began with.)
    @discardableResult
    public func completeStageRun(id: Int64, status: RunStatus, result: String?, assetID: Int64?,
                                 writing results: StageResults) throws(LibraryError) -> RunStatus {
        try transaction { [logger = self.logger, files = self.files] connection in
            guard let target = try await PostgresLibraryStore.scalar(Int64?.self, """
                WITH run AS (SELECT COALESCE(\(assetID), asset_id) AS asset_id FROM stage_runs WHERE id = \(id) FOR UPDATE),
                locked AS (SELECT id FROM assets WHERE id = (SELECT asset_id FROM run) FOR UPDATE)
                SELECT run.asset_id FROM run LEFT JOIN locked ON locked.id = run.asset_id
                """, on: connection, logger: logger) else {
                throw LibraryError(subject: "stage run \(id)", code: .notFound, message: "stage run vanished")
            }
            let now = Date()
            let closed = try await PostgresLibraryStore.scalar(String.self, """
                WITH me AS (SELECT stage, stage_version FROM stage_runs WHERE id = \(id)),
                earlier AS (SELECT EXISTS (
                    SELECT 1 FROM stage_runs done JOIN me USING (stage, stage_version)
                    WHERE done.asset_id = \(target) AND done.status IN ('succeeded', 'not_applicable') AND done.id <> \(id)) AS done)
                UPDATE stage_runs SET asset_id = \(target),
                    status = CASE WHEN earlier.done THEN 'superseded' ELSE \(status.rawValue) END,
                    result = CASE WHEN earlier.done THEN NULL ELSE \(result) END,
                    error = NULL, finished_at = \(now),
                    duration_sec = EXTRACT(EPOCH FROM (\(now)::timestamptz - started_at))::double precision
                FROM earlier WHERE id = \(id)
                RETURNING status
                """, on: connection, logger: logger)
            guard let closedStatus = closed.flatMap(RunStatus.init(rawValue:)) else {
                throw LibraryError(subject: "stage run \(id)", code: .notFound, message: "stage run vanished")
            }
            guard closedStatus != .superseded, let target else { return closedStatus }
            switch results {
            case .nothing: break
            case .description(let description):
                try await PostgresLibraryStore.describe(connection, assetID: target, as: description, logger: logger)
            case .thumbnail(let path):
                try await connection.query("UPDATE assets SET thumbnail_path = \(files.storedForm(path)) WHERE id = \(target)", logger: logger)
            case .segments(let segments):
                try await PostgresLibraryStore.replaceSegments(connection, assetID: target, with: segments, logger: logger)
            case .loops(let loops):
                try await PostgresLibraryStore.replaceLoops(connection, assetID: target, with: loops, logger: logger)
            }
            return closedStatus
        }
    }

    static func close(_ connection: PostgresConnection, stageRunID: Int64, status: RunStatus, error: String?, result: String?,
                      logger: Logger) async throws {
        let now = Date()
        try await connection.query("""
            UPDATE stage_runs SET status = \(status.rawValue), error = \(error), result = \(result), finished_at = \(now),
                duration_sec = EXTRACT(EPOCH FROM (\(now)::timestamptz - started_at))::double precision
            WHERE id = \(stageRunID)
            """, logger: logger)
    }

    public func recordFailedSourceContent(runID: Int64, sha256: String) throws(LibraryError) {
        try run { (store) -> Void in
            _ = try await store.client.query("UPDATE pipeline_runs SET source_sha256 = \(sha256) WHERE id = \(runID)", logger: store.logger)
        }
    }

    public func failedSourceContent(runID: Int64) throws(LibraryError) -> String? {
        let found = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(String?.self, "SELECT source_sha256 FROM pipeline_runs WHERE id = \(runID)",
                                                      on: connection, logger: store.logger)
            }
        }
        return found.flatMap { $0 }
    }

    public func stageRuns(assetID: Int64) throws(LibraryError) -> [StageRun] {
        try records(StageRun.self, "SELECT row_to_json(s)::text FROM stage_runs s WHERE asset_id = \(assetID) ORDER BY id")
    }

    public func lastFinishedPipelineRun(source: String) throws(LibraryError) -> PipelineRun? {
        try record(PipelineRun.self, """
            SELECT row_to_json(r)::text FROM pipeline_runs r
            WHERE source = \(source) AND status NOT IN ('running', 'interrupted') ORDER BY id DESC LIMIT 1
            """)
    }

    public func pipelineRuns(assetID: Int64) throws(LibraryError) -> [PipelineRun] {
        try records(PipelineRun.self, "SELECT row_to_json(r)::text FROM pipeline_runs r WHERE asset_id = \(assetID) ORDER BY id")
    }
}
