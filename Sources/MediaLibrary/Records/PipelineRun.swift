import Foundation
import GRDB

/// One run of the pipeline on one source (`pipeline_runs`).
public struct PipelineRun: Codable, Sendable, Equatable, Identifiable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "pipeline_runs"

    public var id: Int64?
    /// The path or URL as given.
    public var source: String
    /// Known once the sync stage has identified the content.
    public var assetID: Int64?
    /// The stages asked for, comma-separated.
    public var stages: String
    /// ``RunStatus`` raw value.
    public var status: String
    public var error: String?
    /// The process that ran it, so that a later run can tell a killed run from a live one.
    public var processID: Int64
    public var startedAt: Date
    public var finishedAt: Date?
    public var durationSec: Double?

    enum CodingKeys: String, CodingKey {
        case id, source, stages, status, error
        case assetID = "asset_id", processID = "process_id", startedAt = "started_at"
        case finishedAt = "finished_at", durationSec = "duration_sec"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let source = Column(CodingKeys.source)
        public static let assetID = Column(CodingKeys.assetID)
        public static let status = Column(CodingKeys.status)
        public static let processID = Column(CodingKeys.processID)
        public static let startedAt = Column(CodingKeys.startedAt)
    }

    public init(id: Int64? = nil, source: String, assetID: Int64? = nil, stages: String, status: RunStatus = .running,
                error: String? = nil, processID: Int64, startedAt: Date = Date(), finishedAt: Date? = nil,
                durationSec: Double? = nil) {
        self.id = id
        self.source = source
        self.assetID = assetID
        self.stages = stages
        self.status = status.rawValue
        self.error = error
        self.processID = processID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationSec = durationSec
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// The state of a pipeline run or a stage run.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running
    case succeeded
    case failed
    /// The stage does not apply to this kind of media (keyframes of an audio file).
    case notApplicable = "not_applicable"
    /// Another process completed the same stage first; this run's result was not kept.
    case superseded
    /// Cut short by something other than its input, so the next run tries it again: the process died
    /// (found by a later run) or was asked to stop, or the library could not be written (a full disk, a
    /// read-only file store, a database locked past the busy timeout; `error` says which).
    case interrupted

    /// The statuses that mean a stage is done for its asset and version: it is never run again.
    public static let completions: [RunStatus] = [.succeeded, .notApplicable]

    public var isCompletion: Bool { Self.completions.contains(self) }

    /// Whether a stored status string is a completion (the status the once-per-stage rule counts).
    public static func isCompletion(_ status: String) -> Bool {
        RunStatus(rawValue: status)?.isCompletion == true
    }
}
