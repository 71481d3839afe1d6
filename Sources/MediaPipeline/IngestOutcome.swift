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
        public var status: Status
        /// Why the stage failed (`earlier_failure` when it failed in an earlier run and is not retried).
        public var failure: PipelineError?
        /// The failure's message, as `batch` JSON shows it.
        public var error: String? { failure?.message }
        public var seconds: Double?

        /// What became of a stage in one run.
        public enum Status: String, Sendable, Codable {
            case succeeded
            case failed
            /// The stage does not apply to this kind of media.
            case notApplicable = "not_applicable"
            /// Another process completed it first.
            case superseded
            /// Done before (by an earlier run): not run again.
            case skipped

            /// How a stage run the runner closed ended.
            init(_ run: RunStatus) {
                switch run {
                case .succeeded, .running: self = .succeeded
                case .failed, .interrupted: self = .failed
                case .notApplicable: self = .notApplicable
                case .superseded: self = .superseded
                }
            }
        }
    }
}
