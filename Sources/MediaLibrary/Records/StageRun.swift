import Foundation
import GRDB

/// One run of one stage on one asset (`stage_runs`).
public struct StageRun: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "stage_runs"

    public var id: Int64?
    public var pipelineRunID: Int64
    /// Nil only for a sync that failed before the content was known.
    public var assetID: Int64?
    public var stage: String
    /// Bumped when a stage's output changes, so that reruns redo it.
    public var stageVersion: Int
    /// ``RunStatus`` raw value.
    public var status: String
    public var error: String?
    /// What the stage produced that has no table of its own (keyframe paths), as JSON text.
    public var result: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationSec: Double?

    enum CodingKeys: String, CodingKey {
        case id, stage, status, error, result
        case pipelineRunID = "pipeline_run_id", assetID = "asset_id", stageVersion = "stage_version"
        case startedAt = "started_at", finishedAt = "finished_at", durationSec = "duration_sec"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let pipelineRunID = Column(CodingKeys.pipelineRunID)
        public static let assetID = Column(CodingKeys.assetID)
        public static let stage = Column(CodingKeys.stage)
        public static let stageVersion = Column(CodingKeys.stageVersion)
        public static let status = Column(CodingKeys.status)
    }

    public init(id: Int64? = nil, pipelineRunID: Int64, assetID: Int64?, stage: String, stageVersion: Int,
                status: RunStatus = .running, error: String? = nil, result: String? = nil, startedAt: Date = Date(),
                finishedAt: Date? = nil, durationSec: Double? = nil) {
        self.id = id
        self.pipelineRunID = pipelineRunID
        self.assetID = assetID
        self.stage = stage
        self.stageVersion = stageVersion
        self.status = status.rawValue
        self.error = error
        self.result = result
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSec = durationSec
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The key of ``LibraryStore/stageStates(assetID:)``: a stage at one version (`segments@1`).
    public static func stateKey(stage: String, version: Int) -> String { "\(stage)@\(version)" }

    /// ``status`` as its enum (nil only for a value written by a newer version).
    public var runStatus: RunStatus? { RunStatus(rawValue: status) }
}
