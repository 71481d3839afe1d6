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

    @discardableResult
    public func completeStageRun(id: Int64, status: RunStatus, result: String?, assetID: Int64?,
                                 writing results: StageResults) throws(LibraryError) -> RunStatus {
        try transaction { [logger = self.logger, files = self.files] connection in
            guard var run = try await PostgresLibraryStore.records(StageRun.self, """
                SELECT row_to_json(s)::text FROM stage_runs s WHERE id = \(id) FOR UPDATE
                """, on: connection, logger: logger).first else {
                throw LibraryError(subject: "stage run \(id)", code: .notFound, message: "stage run vanished")
            }
            if let assetID, run.assetID != assetID {
                run.assetID = assetID
                try await connection.query("UPDATE stage_runs SET asset_id = \(assetID) WHERE id = \(id)", logger: logger)
            }
            // Completions of one asset take turns (the asset row's lock), so this check sees any
            // completion another process committed first, and two never both apply their results.
            if let target = run.assetID {
                try await connection.query("SELECT id FROM assets WHERE id = \(target) FOR UPDATE", logger: logger)
            }
            let alreadyDone = try await PostgresLibraryStore.scalar(Int64.self, """
                SELECT id FROM stage_runs WHERE asset_id = \(run.assetID) AND stage = \(run.stage)
                    AND stage_version = \(run.stageVersion) AND status IN ('succeeded', 'not_applicable') LIMIT 1
                """, on: connection, logger: logger) != nil
            if alreadyDone {
                try await PostgresLibraryStore.close(connection, stageRunID: id, status: .superseded, error: nil, result: nil, logger: logger)
                return RunStatus.superseded
            }
            if let target = run.assetID {
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
            }
            try await PostgresLibraryStore.close(connection, stageRunID: id, status: status, error: nil, result: result, logger: logger)
            return status
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
