import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// SPEC section 4's `batch` document (also what `ingest` prints).
public struct BatchDocument: Encodable {
    public var processed: Int
    public var succeeded: Int
    public var failed: Int
    public var skipped: Int
    public var items: [Item]

    public struct Item: Encodable {
        public var path: String
        public var assetId: Int64?
        public var sha256: String?
        public var status: String
        public var error: ErrorDocument?
        public var stages: [Stage]
        /// What was accepted with a caveat (a key not understood, a link outside the folder); left out when none.
        public var warnings: [String] = []

        public enum CodingKeys: String, CodingKey { case path, assetId, sha256, status, error, stages, warnings }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(assetId, forKey: .assetId)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(status, forKey: .status)
            try c.encode(error, forKey: .error)
            try c.encode(stages, forKey: .stages)
            if !warnings.isEmpty { try c.encode(warnings, forKey: .warnings) }
        }
    }

    public struct Stage: Encodable {
        public var stage: String
        public var status: String
        public var error: String?
        public var seconds: Double?
    }

    public init(_ outcomes: [IngestOutcome]) {
        processed = outcomes.count
        succeeded = outcomes.filter { $0.status == .succeeded }.count
        failed = outcomes.filter { $0.status == .failed }.count
        skipped = outcomes.filter { $0.status == .skipped }.count
        items = outcomes.map { outcome in
            Item(path: outcome.path, assetId: outcome.assetID, sha256: outcome.sha256, status: outcome.status.rawValue,
                 error: outcome.error.map(ErrorDocument.init),
                 stages: outcome.stages.map { Stage(stage: $0.stage.name, status: $0.status.rawValue, error: $0.error,
                                                    seconds: $0.seconds.map { ($0 * 1000).rounded() / 1000 }) },
                 warnings: outcome.warnings)
        }
    }
}
