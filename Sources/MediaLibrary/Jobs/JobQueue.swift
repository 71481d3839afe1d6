import Foundation
import Logging
import PostgresNIO

/// The job queue in the library's PostgreSQL database (`media_jobs`, SPEC section 7).
///
/// Every operation is one short statement (its own transaction), so that no
/// row lock is held while a job runs: a claim takes rows with
/// `FOR UPDATE SKIP LOCKED` (workers never wait on each other) and hands out a
/// lease, a token and an expiry; a worker renews its leases while it works;
/// completion and failure match the token, so a worker whose lease was rescued
/// (killed, cut off, paused) cannot overwrite what the next holder recorded.
/// As in River and Oban, the rescue of expired leases is a plain `UPDATE` any
/// worker runs from time to time, not a coordinator.
public struct JobQueue: Sendable {
    /// The channel workers listen on; enqueue (and the backend) notify it in the enqueueing transaction.
    public static let channel = "pixsim_media_jobs"

    public let client: PostgresClient
    public var logger: Logger
    /// First retry delay; each further failure doubles it (with jitter), up to ``maximumBackoff``.
    public var baseBackoff: Double
    public var maximumBackoff: Double

    public init(client: PostgresClient, logger: Logger = Logger(label: "pixsim-media.jobs"),
                baseBackoff: Double = 10, maximumBackoff: Double = 3600) {
        self.client = client
        self.logger = logger
        self.baseBackoff = baseBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// Brings the library's schema, the queue's tables included, up to date: the one list of
    /// PostgreSQL migrations (``PostgresMigrations``), applied under the migration lock.
    public func migrate(database: String) async throws {
        try await client.withConnection { [logger] connection in
            try await PostgresMigrator.migrate(connection, logger: logger, database: database)
        }
    }

    // MARK: Enqueue

    /// Adds jobs and notifies the workers, in one transaction. A request whose source and stage set
    /// already has an unfinished job adds nothing.
    /// - Returns: for each request, the new job's id, or nil when an unfinished job already covered it.
    public func enqueue(_ requests: [JobRequest]) async throws -> [Int64?] {
        try await client.withTransaction(logger: logger) { connection in
            var ids: [Int64?] = []
            for request in requests {
                let rows = try await connection.query("""
                    INSERT INTO media_jobs (source, manifest, stages, dedupe_key, priority, max_attempts)
                    VALUES (\(request.source), \(request.manifest)::jsonb, \(request.stages), \(request.dedupeKey),
                            \(request.priority), \(request.maxAttempts))
                    ON CONFLICT DO NOTHING RETURNING id
                    """, logger: logger)
                var id: Int64?
                for try await value in rows.decode(Int64.self) { id = value }
                ids.append(id)
            }
            try await connection.query("NOTIFY pixsim_media_jobs", logger: logger)
            return ids
        }
    }

    // MARK: Workers

    /// Takes up to `limit` due jobs, best first (priority, then `run_after`, then id), in one statement:
    /// each gets `owner`, a fresh token, a lease of `lease` seconds and one more attempt.
    public func claim(owner: String, limit: Int, lease: Double) async throws -> [ClaimedJob] {
        guard limit > 0 else { return [] }
        let rows = try await client.query("""
            WITH picked AS (
                SELECT id FROM media_jobs
                WHERE state = 'queued' AND run_after <= clock_timestamp()
                ORDER BY priority, run_after, id
                LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
            )
            UPDATE media_jobs AS job
            SET state = 'running', lease_owner = \(owner), lease_token = gen_random_uuid(),
                lease_expires_at = clock_timestamp() + make_interval(secs => \(lease)),
                attempts = job.attempts + 1, started_at = clock_timestamp(), finished_at = NULL
            FROM picked WHERE job.id = picked.id
            RETURNING job.id, job.source, job.manifest::text, job.stages, job.attempts, job.max_attempts, job.lease_token
            """, logger: logger)
        var jobs: [ClaimedJob] = []
        for try await (id, source, manifest, stages, attempts, maxAttempts, token)
            in rows.decode((Int64, String, String?, String?, Int, Int, UUID).self) {
            jobs.append(ClaimedJob(id: id, source: source, manifest: manifest, stages: stages, attempt: attempts,
                                   maxAttempts: maxAttempts, leaseToken: token))
        }
        return jobs.sorted { $0.id < $1.id }
    }

    /// Extends the leases still held under `tokens` by `lease` seconds; returns the tokens that still hold
    /// (a token missing from the answer lost its lease: rescued, cancelled).
    public func renew(tokens: [UUID], lease: Double) async throws -> Set<UUID> {
        guard !tokens.isEmpty else { return [] }
        let rows = try await client.query("""
            UPDATE media_jobs SET lease_expires_at = clock_timestamp() + make_interval(secs => \(lease))
            WHERE state = 'running' AND lease_token = ANY(\(tokens))
            RETURNING lease_token
            """, logger: logger)
        var held = Set<UUID>()
        for try await token in rows.decode(UUID.self) { held.insert(token) }
        return held
    }

    /// Records success. Fenced: returns false (and changes nothing) when `job`'s lease is no longer held.
    public func complete(_ job: ClaimedJob, assetID: Int64?) async throws -> Bool {
        try await updated(client.query("""
            UPDATE media_jobs SET state = 'succeeded', asset_id = \(assetID), last_error = NULL,
                finished_at = clock_timestamp(), lease_expires_at = NULL
            WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.leaseToken)
            RETURNING id
            """, logger: logger))
    }

    /// Records a failure. Fenced like ``complete(_:assetID:)``. A retryable failure before the last attempt
    /// queues the job again after an exponential backoff; otherwise the job is `failed` with `error`.
    public func fail(_ job: ClaimedJob, error: String, retryable: Bool = true) async throws -> Bool {
        try await updated(client.query("""
            UPDATE media_jobs SET
                state = CASE WHEN \(retryable) AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                run_after = clock_timestamp() + make_interval(secs =>
                    least(\(maximumBackoff), \(baseBackoff) * power(2, attempts - 1)) * (0.75 + random() / 2)),
                finished_at = CASE WHEN \(retryable) AND attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
                last_error = \(error), lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.leaseToken)
            RETURNING id
            """, logger: logger))
    }

    /// Gives a job back untried (a worker stopping before it could finish it): queued again at once,
    /// the attempt not counted.
    public func release(_ job: ClaimedJob) async throws -> Bool {
        try await updated(client.query("""
            UPDATE media_jobs SET state = 'queued', attempts = greatest(attempts - 1, 0), run_after = clock_timestamp(),
                lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(job.id) AND state = 'running' AND lease_token = \(job.leaseToken)
            RETURNING id
            """, logger: logger))
    }

    /// Makes jobs whose lease expired (their worker died, was cut off or stalled) claimable again, or
    /// `failed` when that was their last attempt. Returns the ids rescued.
    @discardableResult
    public func rescueExpiredLeases() async throws -> [Int64] {
        let rows = try await client.query("""
            UPDATE media_jobs SET
                state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE clock_timestamp() END,
                last_error = 'lease expired (worker ' || coalesce(lease_owner, '?') || ' stopped renewing it)',
                run_after = clock_timestamp(), lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE state = 'running' AND lease_expires_at < clock_timestamp()
            RETURNING id
            """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids
    }

    // MARK: Steering

    /// Cancels a queued or running job (a running one's completion is then refused). False when it was finished.
    public func cancel(id: Int64) async throws -> Bool {
        try await updated(client.query("""
            UPDATE media_jobs SET state = 'cancelled', finished_at = clock_timestamp(),
                lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(id) AND state IN ('queued', 'running')
            RETURNING id
            """, logger: logger))
    }

    /// Queues a failed or cancelled job again, with its attempts reset. False when it is not failed or cancelled.
    /// - Throws: a unique violation when another unfinished job holds the same dedupe key.
    public func retry(id: Int64) async throws -> Bool {
        try await updated(client.query("""
            UPDATE media_jobs SET state = 'queued', attempts = 0, run_after = clock_timestamp(), finished_at = NULL,
                lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = \(id) AND state IN ('failed', 'cancelled')
            RETURNING id
            """, logger: logger))
    }

    /// Deletes finished jobs that finished more than `olderThan` seconds ago; returns how many.
    @discardableResult
    public func prune(olderThan seconds: Double) async throws -> Int {
        let rows = try await client.query("""
            DELETE FROM media_jobs
            WHERE state IN ('succeeded', 'failed', 'cancelled')
              AND finished_at < clock_timestamp() - make_interval(secs => \(seconds))
            RETURNING id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    // MARK: Looking

    static let columns = """
        id, created_at, source, manifest::text AS manifest, stages, dedupe_key, priority, run_after, state, attempts,
        max_attempts, lease_owner, lease_token, lease_expires_at, last_error, asset_id, started_at, finished_at
        """

    /// Jobs, newest first, optionally of one state.
    public func list(state: MediaJob.State? = nil, limit: Int = 50) async throws -> [MediaJob] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns) FROM media_jobs
            WHERE \(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)
            ORDER BY id DESC LIMIT \(limit)
            """, logger: logger)
        return try await Self.jobs(rows)
    }

    public func job(id: Int64) async throws -> MediaJob? {
        let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM media_jobs WHERE id = \(id)",
                                          logger: logger)
        return try await Self.jobs(rows).first
    }

    /// The jobs `ids` as they stand now (missing ids were pruned or never existed).
    /// The unfinished job holding `dedupeKey` (the one an enqueue that added nothing deferred to), if any.
    public func unfinishedJob(dedupeKey: String) async throws -> Int64? {
        let rows = try await client.query("""
            SELECT id FROM media_jobs WHERE dedupe_key = \(dedupeKey) AND state IN ('queued', 'running')
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    public func jobs(ids: [Int64]) async throws -> [MediaJob] {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query(
            "SELECT \(unescaped: Self.columns) FROM media_jobs WHERE id = ANY(\(ids)) ORDER BY id", logger: logger)
        return try await Self.jobs(rows)
    }

    public func statistics() async throws -> JobStatistics {
        var counts = Dictionary(uniqueKeysWithValues: MediaJob.State.allCases.map { ($0.rawValue, 0) })
        for try await (state, count) in try await client.query(
            "SELECT state, count(*) FROM media_jobs GROUP BY state", logger: logger).decode((String, Int64).self) {
            counts[state] = Int(count)
        }
        let rows = try await client.query("""
            SELECT
                (SELECT extract(epoch FROM clock_timestamp() - min(created_at))::float8 FROM media_jobs
                 WHERE state = 'queued' AND run_after <= clock_timestamp()),
                (SELECT count(*) FROM media_jobs WHERE finished_at > clock_timestamp() - interval '1 minute'
                   AND state IN ('succeeded', 'failed')),
                (SELECT count(*) FROM media_jobs WHERE finished_at > clock_timestamp() - interval '10 minutes'
                   AND state IN ('succeeded', 'failed'))
            """, logger: logger)
        var statistics = JobStatistics(counts: counts, oldestQueuedAgeSeconds: nil, finishedPerSecondLastMinute: 0,
                                       finishedLastTenMinutes: 0)
        for try await (oldest, lastMinute, lastTen) in rows.decode((Double?, Int64, Int64).self) {
            statistics.oldestQueuedAgeSeconds = oldest
            statistics.finishedPerSecondLastMinute = Double(lastMinute) / 60
            statistics.finishedLastTenMinutes = Int(lastTen)
        }
        return statistics
    }

    // MARK: Helpers

    private func updated(_ rows: PostgresRowSequence) async throws -> Bool {
        var any = false
        for try await _ in rows { any = true }
        return any
    }

    static func jobs(_ rows: PostgresRowSequence) async throws -> [MediaJob] {
        var jobs: [MediaJob] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            let stateText = try cells["state"].decode(String.self)
            jobs.append(MediaJob(
                id: try cells["id"].decode(Int64.self),
                createdAt: try cells["created_at"].decode(Date.self),
                source: try cells["source"].decode(String.self),
                manifest: try cells["manifest"].decode(String?.self),
                stages: try cells["stages"].decode(String?.self),
                dedupeKey: try cells["dedupe_key"].decode(String.self),
                priority: try cells["priority"].decode(Int.self),
                runAfter: try cells["run_after"].decode(Date.self),
                state: MediaJob.State(rawValue: stateText) ?? .failed,
                attempts: try cells["attempts"].decode(Int.self),
                maxAttempts: try cells["max_attempts"].decode(Int.self),
                leaseOwner: try cells["lease_owner"].decode(String?.self),
                leaseToken: try cells["lease_token"].decode(UUID?.self),
                leaseExpiresAt: try cells["lease_expires_at"].decode(Date?.self),
                lastError: try cells["last_error"].decode(String?.self),
                assetID: try cells["asset_id"].decode(Int64?.self),
                startedAt: try cells["started_at"].decode(Date?.self),
                finishedAt: try cells["finished_at"].decode(Date?.self)))
        }
        return jobs
    }
}

extension JobQueue {
    /// Runs `body` with a queue on a connection pool of at most `connections` to `location`'s database,
    /// after checking that the database answers (one line naming host, port and reason when it does not)
    /// and bringing the queue's tables up to date. The pool is shut down when `body` returns.
    public static func withQueue<Result>(
        _ location: PostgresLocation, connections: Int = 4, connectTimeout: Double? = nil,
        logger: Logger = Logger(label: "pixsim-media.jobs"),
        _ body: (JobQueue) async throws -> Result
    ) async throws -> Result {
        var configuration = try location.clientConfiguration()
        configuration.options.maximumConnections = max(2, connections)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        // Checked after the pool's run() was started, so that it has begun (the check's own connection
        // takes milliseconds) before the first query: a query before it logs a warning on stderr.
        try await location.checkReachable(timeout: connectTimeout ?? location.connectTimeout)
        let queue = JobQueue(client: client, logger: logger)
        try await queue.migrate(database: location.displayName)
        return try await body(queue)
    }
}
