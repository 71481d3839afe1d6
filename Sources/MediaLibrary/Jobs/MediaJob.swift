import Foundation

/// One row of `media_jobs` (SPEC section 7): a source to run the pipeline on,
/// and where that stands.
public struct MediaJob: Sendable, Equatable, Codable {
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled`.
    public enum State: String, Sendable, Codable, CaseIterable {
        case queued, running, succeeded, failed, cancelled

        /// Finished jobs no longer hold their dedupe key and may be pruned.
        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    public var id: Int64
    public var createdAt: Date
    /// A path or URL (or a manifest's path when `manifest` came from a file).
    public var source: String
    /// The generation manifest (JSON text), or nil for plain media.
    public var manifest: String?
    /// Comma-separated stages, nil for the defaults.
    public var stages: String?
    public var dedupeKey: String
    public var priority: Int
    public var runAfter: Date
    public var state: State
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseToken: UUID?
    public var leaseExpiresAt: Date?
    public var lastError: String?
    public var assetID: Int64?
    public var startedAt: Date?
    public var finishedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, source, manifest, stages, priority, state, attempts
        case createdAt = "created_at", dedupeKey = "dedupe_key", runAfter = "run_after", maxAttempts = "max_attempts"
        case leaseOwner = "lease_owner", leaseToken = "lease_token", leaseExpiresAt = "lease_expires_at"
        case lastError = "last_error", assetID = "asset_id", startedAt = "started_at", finishedAt = "finished_at"
    }
}

/// A job a worker holds: what to run and the lease token that its completion must present.
public struct ClaimedJob: Sendable, Equatable {
    public var id: Int64
    public var source: String
    public var manifest: String?
    public var stages: String?
    /// This try, counting from 1.
    public var attempt: Int
    public var maxAttempts: Int
    /// Fences the completion: once the lease is rescued and the job claimed again, this token matches nothing.
    public var leaseToken: UUID
}

/// What a new job carries (the columns `enqueue` sets).
public struct JobRequest: Sendable, Equatable {
    public var source: String
    public var manifest: String?
    public var stages: String?
    public var priority: Int
    public var maxAttempts: Int

    public init(source: String, manifest: String? = nil, stages: String? = nil, priority: Int = 0, maxAttempts: Int = 5) {
        self.source = source
        self.manifest = manifest
        self.stages = stages
        self.priority = priority
        self.maxAttempts = maxAttempts
    }

    /// One job per source and stage set: the source, then the stages (`default` for the defaults).
    public var dedupeKey: String { "\(source)|\(stages ?? "default")" }
}

/// `jobs stats`: counts by state, the oldest job waiting, and throughput.
public struct JobStatistics: Sendable, Equatable, Codable {
    public var counts: [String: Int]
    /// Seconds the oldest due queued job has waited since it was enqueued (nil when none waits).
    public var oldestQueuedAgeSeconds: Double?
    /// Jobs finished (succeeded or failed) in the last minute, per second.
    public var finishedPerSecondLastMinute: Double
    /// Jobs finished in the last ten minutes.
    public var finishedLastTenMinutes: Int

    enum CodingKeys: String, CodingKey {
        case counts
        case oldestQueuedAgeSeconds = "oldest_queued_age_seconds"
        case finishedPerSecondLastMinute = "finished_per_second_last_minute"
        case finishedLastTenMinutes = "finished_last_ten_minutes"
    }
}
