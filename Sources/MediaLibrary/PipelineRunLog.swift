import Foundation
import GRDB

/// What the pipeline writes about its own progress: `pipeline_runs` and
/// `stage_runs`. A stage's results and its "succeeded" mark are written in
/// one transaction, so a run killed at any moment either completed a stage
/// or did not, and a rerun knows which.
extension MediaStore {
    /// Opens a run on `source`.
    public func startPipelineRun(source: String, stages: [String]) throws(LibraryError) -> PipelineRun {
        try write { db in
            var run = PipelineRun(source: source, stages: stages.joined(separator: ","), processID: Int64(getpid()))
            try run.insert(db)
            return run
        }
    }

    /// Closes a run with its outcome.
    public func finishPipelineRun(id: Int64, assetID: Int64?, status: RunStatus, error: String?) throws(LibraryError) {
        try write { db in
            guard var run = try PipelineRun.fetchOne(db, key: id) else { return }
            run.assetID = assetID ?? run.assetID
            run.status = status.rawValue
            run.error = error
            let now = Date()
            run.finishedAt = now
            run.durationSec = now.timeIntervalSince(run.startedAt)
            try run.update(db)
        }
    }

    /// Marks runs left `running` by processes that no longer exist (killed) as
    /// `interrupted`, with their unfinished stage runs, so the record tells the truth.
    /// - Returns: how many pipeline runs were marked.
    @discardableResult
    public func markInterruptedRuns() throws(LibraryError) -> Int {
        let running = try read { db in
            try PipelineRun.filter(PipelineRun.Columns.status == RunStatus.running.rawValue).fetchAll(db)
        }
        let dead = running.filter { run in
            let pid = pid_t(truncatingIfNeeded: run.processID)
            if pid == getpid() { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }.compactMap(\.id)
        guard !dead.isEmpty else { return 0 }
        return try write { db in
            let message = "the process running it stopped before it finished"
            try db.execute(sql: """
                UPDATE stage_runs SET status = 'interrupted', error = ?
                WHERE status = 'running' AND pipeline_run_id IN (\(dead.map { _ in "?" }.joined(separator: ",")))
                """, arguments: StatementArguments([message] + dead.map { $0 as (any DatabaseValueConvertible) }))
            try db.execute(sql: """
                UPDATE pipeline_runs SET status = 'interrupted', error = ?
                WHERE status = 'running' AND id IN (\(dead.map { _ in "?" }.joined(separator: ",")))
                """, arguments: StatementArguments([message] + dead.map { $0 as (any DatabaseValueConvertible) }))
            return db.changesCount
        }
    }

    /// Opens a stage run.
    public func startStageRun(pipelineRunID: Int64, assetID: Int64?, stage: String, version: Int) throws(LibraryError) -> StageRun {
        try write { db in
            var run = StageRun(pipelineRunID: pipelineRunID, assetID: assetID, stage: stage, stageVersion: version)
            try run.insert(db)
            return run
        }
    }

    /// Closes a stage run that failed.
    public func failStageRun(id: Int64, error: String) throws(LibraryError) {
        try write { db in
            try Self.close(db, stageRunID: id, status: .failed, error: error, result: nil)
        }
    }

    /// Closes a stage run that completed, writing its results with `apply` in
    /// the same transaction. If another process already completed this stage
    /// for this asset and version, nothing is applied and the run is marked
    /// `superseded`.
    /// - Returns: the status recorded (`succeeded`, `not_applicable` or `superseded`).
    @discardableResult
    /// - Parameter assetID: the asset the run turned out to be about, when it
    ///   started without one (a sync learns its asset as it goes).
    public func completeStageRun(id: Int64, status: RunStatus = .succeeded, result: String? = nil, assetID: Int64? = nil,
                                 apply: @Sendable (Database) throws -> Void = { _ in }) throws(LibraryError) -> RunStatus {
        try write { db in
            guard var run = try StageRun.fetchOne(db, key: id) else {
                throw LibraryError(subject: "stage run \(id)", code: .notFound, message: "stage run vanished")
            }
            if let assetID, run.assetID != assetID {
                run.assetID = assetID
                try run.update(db)
            }
            let alreadyDone = try StageRun
                .filter(StageRun.Columns.assetID == run.assetID && StageRun.Columns.stage == run.stage
                    && StageRun.Columns.stageVersion == run.stageVersion
                    && RunStatus.completions.map(\.rawValue).contains(StageRun.Columns.status))
                .fetchCount(db) > 0
            if alreadyDone {
                try Self.close(db, stageRunID: id, status: .superseded, error: nil, result: nil)
                return .superseded
            }
            try apply(db)
            try Self.close(db, stageRunID: id, status: status, error: nil, result: result)
            return status
        }
    }

    private static func close(_ db: Database, stageRunID: Int64, status: RunStatus, error: String?, result: String?) throws {
        guard var run = try StageRun.fetchOne(db, key: stageRunID) else { return }
        let now = Date()
        run.status = status.rawValue
        run.error = error
        run.result = result
        run.finishedAt = now
        run.durationSec = now.timeIntervalSince(run.startedAt)
        try run.update(db)
    }

    /// For each stage of an asset, its most telling run: a completion if there
    /// is one for that version, else the latest attempt. Keyed by ``StageRun/stateKey(stage:version:)``.
    public func stageStates(assetID: Int64) throws(LibraryError) -> [String: StageRun] {
        try read { db in
            let runs = try StageRun.filter(StageRun.Columns.assetID == assetID).order(StageRun.Columns.id).fetchAll(db)
            var states: [String: StageRun] = [:]
            for run in runs {
                let key = StageRun.stateKey(stage: run.stage, version: run.stageVersion)
                if let kept = states[key], RunStatus(rawValue: kept.status)?.isCompletion == true { continue }
                states[key] = run
            }
            return states
        }
    }

    /// The most recent finished run of `source` whose sync failed (no asset), if the last run on it failed so.
    /// Remembers the SHA-256 of the bytes a failed run read from its source.
    public func recordFailedSourceContent(runID: Int64, sha256: String) throws(LibraryError) {
        try write { db in
            try db.execute(sql: "UPDATE pipeline_runs SET source_sha256 = ? WHERE id = ?", arguments: [sha256, runID])
        }
    }

    /// The SHA-256 of the bytes a failed run read, when it was recorded.
    public func failedSourceContent(runID: Int64) throws(LibraryError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT source_sha256 FROM pipeline_runs WHERE id = ?", arguments: [runID]) }
    }

    public func lastFailedSync(source: String) throws(LibraryError) -> PipelineRun? {
        try read { db in
            let last = try PipelineRun.filter(PipelineRun.Columns.source == source
                                                && PipelineRun.Columns.status != RunStatus.running.rawValue
                                                && PipelineRun.Columns.status != RunStatus.interrupted.rawValue)
                .order(PipelineRun.Columns.id.desc).fetchOne(db)
            guard let last, last.status == RunStatus.failed.rawValue, last.assetID == nil else { return nil }
            return last
        }
    }

    public func pipelineRuns(assetID: Int64) throws(LibraryError) -> [PipelineRun] {
        try read { db in
            try PipelineRun.filter(PipelineRun.Columns.assetID == assetID).order(PipelineRun.Columns.id).fetchAll(db)
        }
    }
}
