import Foundation
import MediaLibrary

/// The answer to `POST /api/v1/ingest`: on a PostgreSQL library the job that will do it (a worker
/// runs it), on a SQLite library the asset it made (ingested before answering), with the batch document.
public struct IngestAnswerDocument: Encodable {
    /// The queued job; null when ingested inline.
    public var jobId: Int64?
    /// Whether a new job was queued (false: the same source already had an unfinished job, `job_id` is that one).
    public var enqueued: Bool
    /// The asset made; null while the job is queued or when the ingest failed.
    public var assetId: Int64?
    /// What `ingest --json` prints, when ingested inline.
    public var batch: BatchDocument?

    public enum CodingKeys: String, CodingKey { case jobId, enqueued, assetId, batch }

    public init(jobID: Int64?, enqueued: Bool, assetID: Int64?, batch: BatchDocument?) {
        jobId = jobID
        self.enqueued = enqueued
        assetId = assetID
        self.batch = batch
    }

    /// Every key is written, nulls included, so a client can tell "queued" from "done".
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(jobId, forKey: .jobId)
        try c.encode(enqueued, forKey: .enqueued)
        try c.encode(assetId, forKey: .assetId)
        try c.encode(batch, forKey: .batch)
    }
}
