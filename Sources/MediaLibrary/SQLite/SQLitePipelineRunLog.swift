import Foundation
import GRDB

/// What the pipeline writes about its own progress: `pipeline_runs` and
/// `stage_runs`. A stage's results and its "succeeded" mark are written in
/// one transaction, so a run killed at any moment either completed a stage
/// or did not, and a rerun knows which.
extension SQLiteLibraryStore {
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

    public func runningPipelineRuns() throws(LibraryError) -> [PipelineRun] {
        try read { db in
            try PipelineRun.filter(PipelineRun.Columns.status == RunStatus.running.rawValue).fetchAll(db)
        }
    }

    public func markInterrupted(runIDs: [Int64], message: String) throws(LibraryError) -> Int {
        guard !runIDs.isEmpty else { return 0 }
        return try write { db in
            let bindMarks = runIDs.map { _ in "?" }.joined(separator: ",")
            try db.execute(sql: """
                UPDATE stage_runs SET status = 'interrupted', error = ?
                WHERE status = 'running' AND pipeline_run_id IN (\(bindMarks))
                """, arguments: StatementArguments([message] + runIDs.map { $0 as (any DatabaseValueConvertible) }))
            try db.execute(sql: """
                UPDATE pipeline_runs SET status = 'interrupted', error = ?
                WHERE status = 'running' AND id IN (\(bindMarks))
                """, arguments: StatementArguments([message] + runIDs.map { $0 as (any DatabaseValueConvertible) }))
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

    public func failStageRun(id: Int64, error: String, status: RunStatus) throws(LibraryError) {
        try write { db in
            try Self.close(db, stageRunID: id, status: status, error: error, result: nil)
        }
    }

    @discardableResult
    public func completeStageRun(id: Int64, status: RunStatus, result: String?, assetID: Int64?,
                                 writing results: StageResults) throws(LibraryError) -> RunStatus {
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
            if let target = run.assetID {
                switch results {
                case .nothing: break
                case .description(let description): try Self.describe(db, assetID: target, as: description)
                case .thumbnail(let path): try Self.setThumbnail(db, assetID: target, path: files.storedForm(path))
                case .segments(let segments): try Self.replaceSegments(db, assetID: target, with: segments)
                case .loops(let loops): try Self.replaceLoops(db, assetID: target, with: loops)
                }
            }
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

    public func stageRuns(assetID: Int64) throws(LibraryError) -> [StageRun] {
        try read { db in
            try StageRun.filter(StageRun.Columns.assetID == assetID).order(StageRun.Columns.id).fetchAll(db)
        }
    }

    public func lastFinishedPipelineRun(source: String) throws(LibraryError) -> PipelineRun? {
        try read { db in
            try PipelineRun.filter(PipelineRun.Columns.source == source
                                     && PipelineRun.Columns.status != RunStatus.running.rawValue
                                     && PipelineRun.Columns.status != RunStatus.interrupted.rawValue)
                .order(PipelineRun.Columns.id.desc).fetchOne(db)
        }
    }

    public func pipelineRuns(assetID: Int64) throws(LibraryError) -> [PipelineRun] {
        try read { db in
            try PipelineRun.filter(PipelineRun.Columns.assetID == assetID).order(PipelineRun.Columns.id).fetchAll(db)
        }
    }
}
