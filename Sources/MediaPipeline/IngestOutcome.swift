import MediaLibrary

/// What happened to one source in the pipeline: an item of `batch`'s JSON.
public struct IngestOutcome: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        /// Some stage ran and everything asked for is now done.
        case succeeded
        /// Everything asked for was already done (a rerun).
        case skipped
        case failed
    }

    /// The source as given.
    public var path: String
    public var assetID: Int64?
    public var sha256: String?
    public var status: Status
    public var error: PipelineError?
    /// What each stage did, in order.
    public var stages: [StageOutcome]
    /// Things worth a word that did not fail the item (a manifest key not understood, say).
    public var warnings: [String] = []

    public init(path: String, assetID: Int64?, sha256: String?, status: Status, error: PipelineError?, stages: [StageOutcome]) {
        self.path = path
        self.assetID = assetID
        self.sha256 = sha256
        self.status = status
        self.error = error
        self.stages = stages
    }

    /// A source that failed before the pipeline could start on it.
    public static func failure(_ path: String, _ error: PipelineError) -> IngestOutcome {
        IngestOutcome(path: path, assetID: nil, sha256: nil, status: .failed, error: error, stages: [])
    }

    public struct StageOutcome: Sendable, Equatable {
        public var stage: PipelineStage
        /// `succeeded`, `failed`, `not_applicable`, `superseded`, or `skipped` when done before.
        public var status: String
        public var error: String?
        public var seconds: Double?
    }
}
