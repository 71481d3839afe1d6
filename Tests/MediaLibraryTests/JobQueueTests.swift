import Foundation
import MediaLibrary
import MediaTestSupport
import Synchronization
import Testing

/// The job queue on a real PostgreSQL 15 (no mock): the claim, leases, fencing, retries, rescue, steering,
/// and workers sharing one queue. Each test has its own database; the checks read the table back
/// through `psql`, not through the code under test.
@Suite("Job queue on PostgreSQL", .serialized) struct JobQueueTests {
    /// Generous: a loaded test machine can take seconds to accept a connection (a fresh-clone CI once
    /// saw the shared cluster give no answer for 30 s, twice, eight minutes into the run); the product's
    /// default (5 s) is tested on its own by `anUnreachableDatabaseIsOneLineWithinTheTimeout`.
    static let connectTimeout = 120.0

    /// A database on the shared test server, as a library location with a files folder.
    static func library() throws -> (server: PostgresTestServer, location: PostgresLocation, database: String) {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let files = try TestMedia.makeTemporaryDirectory("pixsim-jobs")
        let location = try PostgresLocation(url: url, files: files.path)
        return (server, location, location.database)
    }

    @Test func enqueueDedupesAndClaimsInOrder() async throws {
        let (server, location, database) = try Self.library()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { queue in
            let first = try await queue.enqueue([
                JobRequest(source: "/media/a.mp4", priority: 5),
                JobRequest(source: "/media/b.mp4", priority: 1),
                JobRequest(source: "/media/a.mp4", priority: 5),  // same source, same stages: no second job
                JobRequest(source: "/media/a.mp4", stages: "sync,probe"),  // other stages: its own job
            ])
            #expect(first[0] != nil && first[1] != nil && first[2] == nil && first[3] != nil)
            #expect(try await queue.enqueue([JobRequest(source: "/media/b.mp4")]) == [nil])
            #expect(try server.psql("SELECT count(*) FROM media_jobs", database: database) == "3")

            // Lower priority first, then run_after, then id.
            let claimed = try await queue.claim(owner: "test", limit: 1, lease: 30)
            #expect(claimed.map(\.source) == ["/media/a.mp4"] && claimed[0].stages == "sync,probe")
            let next = try await queue.claim(owner: "test", limit: 5, lease: 30)
            #expect(next.map(\.source).sorted() == ["/media/a.mp4", "/media/b.mp4"])
            #expect(next.allSatisfy { $0.attempt == 1 })
            #expect(try await queue.claim(owner: "test", limit: 5, lease: 30).isEmpty)
            #expect(try server.psql("SELECT count(*) FROM media_jobs WHERE state = 'running' AND lease_owner = 'test' AND lease_token IS NOT NULL AND lease_expires_at > now()", database: database) == "3")

            // Once finished, the same source may be enqueued again.
            #expect(try await queue.complete(claimed[0], assetID: 7))
            #expect(try await queue.enqueue([JobRequest(source: "/media/a.mp4", stages: "sync,probe")])[0] != nil)
            #expect(try server.psql("SELECT state, asset_id FROM media_jobs WHERE id = \(claimed[0].id)", database: database) == "succeeded|7")
        }
    }

    @Test func completionIsFencedByTheLeaseToken() async throws {
        let (server, location, database) = try Self.library()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { queue in
            _ = try await queue.enqueue([JobRequest(source: "/media/slow.mp4")])
            let stale = try #require(try await queue.claim(owner: "host-a", limit: 1, lease: 1).first)
            try await Task.sleep(for: .milliseconds(1500))
            // host-a's lease expired: the rescue makes the job claimable; host-b takes it.
            #expect(try await queue.rescueExpiredLeases() == [stale.id])
            #expect(try await queue.renew(tokens: [stale.leaseToken], lease: 30).isEmpty)
            let fresh = try #require(try await queue.claim(owner: "host-b", limit: 1, lease: 30).first)
            #expect(fresh.id == stale.id && fresh.attempt == 2 && fresh.leaseToken != stale.leaseToken)
            #expect(try await queue.complete(fresh, assetID: 2))
            // host-a comes back late: its completion, failure or release matches nothing.
            #expect(try await queue.complete(stale, assetID: 1) == false)
            #expect(try await queue.fail(stale, error: "late") == false)
            #expect(try await queue.release(stale) == false)
            #expect(try server.psql("SELECT state, asset_id, attempts FROM media_jobs", database: database) == "succeeded|2|2")
        }
    }

    @Test func failuresBackOffThenFailWithTheError() async throws {
        let (server, location, database) = try Self.library()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { base in
            var queue = base
            queue.baseBackoff = 0.2
            _ = try await queue.enqueue([JobRequest(source: "/media/bad.mp4", maxAttempts: 3)])
            // Each backoff, bounded by the server's clock read just before the failure and just after it (the
            // time the failure took cannot blur the figure, however loaded the machine).
            var delays: [(atLeast: Double, atMost: Double)] = []
            let clock = "SELECT extract(epoch FROM clock_timestamp())"
            for attempt in 1...3 {
                var job: ClaimedJob?
                let deadline = Date().addingTimeInterval(5)
                while job == nil && Date() < deadline {
                    job = try await queue.claim(owner: "w", limit: 1, lease: 30).first
                    if job == nil { try await Task.sleep(for: .milliseconds(20)) }
                }
                let claimed = try #require(job)
                #expect(claimed.attempt == attempt)
                let before = Double(try server.psql(clock, database: database)) ?? .nan
                #expect(try await queue.fail(claimed, error: "boom \(attempt)"))
                if attempt < 3 {
                    // Queued again, not before run_after: base * 2^(attempt-1), with ±25% jitter.
                    #expect(try await queue.claim(owner: "w", limit: 1, lease: 30).isEmpty)
                    let after = Double(try server.psql(clock, database: database)) ?? .nan
                    let runAfter = Double(try server.psql(
                        "SELECT extract(epoch FROM run_after) FROM media_jobs WHERE state = 'queued'", database: database)) ?? .nan
                    delays.append((runAfter - before, runAfter - after))
                }
            }
            #expect(delays.count == 2)
            // 0.2 s then 0.4 s, each within a quarter either way.
            #expect(delays[0].atLeast >= 0.15 && delays[0].atMost <= 0.25, "\(delays[0])")
            #expect(delays[1].atLeast >= 0.3 && delays[1].atMost <= 0.5, "\(delays[1])")
            #expect(try server.psql("SELECT state, attempts, last_error, finished_at IS NOT NULL FROM media_jobs", database: database)
                    == "failed|3|boom 3|t")

            // A failure that cannot pass by retrying fails at once.
            _ = try await queue.enqueue([JobRequest(source: "/media/gone.mp4")])
            let gone = try #require(try await queue.claim(owner: "w", limit: 1, lease: 30).first)
            #expect(try await queue.fail(gone, error: "no such file", retryable: false))
            #expect(try server.psql("SELECT state, attempts FROM media_jobs WHERE id = \(gone.id)", database: database) == "failed|1")
        }
    }

    @Test func cancelRetryReleaseAndPrune() async throws {
        let (server, location, database) = try Self.library()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { queue in
            let ids = try await queue.enqueue([JobRequest(source: "/m/1.mp4"), JobRequest(source: "/m/2.mp4")]).compactMap { $0 }
            #expect(try await queue.cancel(id: ids[0]))
            #expect(try await queue.cancel(id: ids[0]) == false)  // already finished
            let running = try #require(try await queue.claim(owner: "w", limit: 5, lease: 30).first)
            #expect(running.id == ids[1])
            // Cancelling a running job refuses its worker's result.
            #expect(try await queue.cancel(id: running.id))
            #expect(try await queue.complete(running, assetID: 1) == false)
            // Retry queues them again, attempts reset; a duplicate unfinished job blocks the retry.
            #expect(try await queue.retry(id: ids[0]))
            _ = try await queue.enqueue([JobRequest(source: "/m/2.mp4")])
            await #expect(throws: (any Error).self) { try await queue.retry(id: ids[1]) }
            #expect(try await queue.retry(id: ids[0]) == false)  // queued: nothing to retry
            // Release gives a job back without counting the attempt.
            let again = try #require(try await queue.claim(owner: "w", limit: 1, lease: 30).first)
            #expect(try await queue.release(again))
            #expect(try server.psql("SELECT state, attempts FROM media_jobs WHERE id = \(again.id)", database: database) == "queued|0")
            // Prune removes finished jobs older than the age given, and only those.
            try server.psql("UPDATE media_jobs SET finished_at = now() - interval '8 days' WHERE id = \(ids[1])", database: database)
            #expect(try await queue.prune(olderThan: 7 * 86400) == 1)
            #expect(try server.psql("SELECT count(*) FROM media_jobs", database: database) == "2")
            let stats = try await queue.statistics()
            #expect(stats.counts["queued"] == 2)
            #expect((stats.oldestQueuedAgeSeconds ?? -1) >= 0)
        }
    }

    /// The backend's way in (README): its own transaction, exactly this statement, through psql; then a worker
    /// started afterwards picks the job up, and a second insert for the same generation adds nothing.
    @Test func theBackendsInsertIsPickedUpByAWorker() async throws {
        let (server, location, database) = try Self.library()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { _ in }  // migrations, as the first worker would
        let statement = """
            BEGIN;
            INSERT INTO media_jobs (source, manifest, dedupe_key)
            VALUES ('/mnt/media/inbox/gen-42.mp4', '{"provider_id": "pixverse", "operation_type": "text_to_video"}', 'generation:42')
            ON CONFLICT DO NOTHING;
            NOTIFY pixsim_media_jobs;
            COMMIT;
            """
        try server.psql(statement, database: database)
        try server.psql(statement, database: database)
        #expect(try server.psql("SELECT count(*) FROM media_jobs", database: database) == "1")
        let handled = JobRecorder()
        try await JobQueue.withQueue(location, connectTimeout: Self.connectTimeout) { queue in
            let worker = JobWorker(queue: queue, handler: RecordingHandler(seen: handled) , configuration: .init(lease: 5, pollInterval: 60),
                                   log: { _ in })
            let run = Task { await worker.run() }
            try await waitUntil { handled.jobs.withLock { $0.count } == 1 }
            // A job inserted while the worker sleeps (poll every 60 s) starts at once: NOTIFY woke it.
            try server.psql(statement.replacingOccurrences(of: "42", with: "43"), database: database)
            try await waitUntil(seconds: 5) { handled.jobs.withLock { $0.count } == 2 }
            worker.stop()
            await run.value
        }
        let jobs = handled.jobs.withLock { $0 }
        #expect(jobs.map(\.source) == ["/mnt/media/inbox/gen-42.mp4", "/mnt/media/inbox/gen-43.mp4"])
        #expect(jobs[0].manifest?.contains("pixverse") == true)
        #expect(try server.psql("SELECT string_agg(state, ',') FROM media_jobs", database: database) == "succeeded,succeeded")
    }

    /// 4 workers, 400 jobs: every job run exactly once, every row succeeded, no duplicate.
    @Test func fourWorkersFourHundredJobsEachRunOnce() async throws {
        let (server, location, database) = try Self.library()
        let handled = JobRecorder()
        try await JobQueue.withQueue(location, connections: 20, connectTimeout: Self.connectTimeout) { queue in
            let requests = (0..<400).map { JobRequest(source: "/media/clip-\($0).mp4") }
            _ = try await queue.enqueue(Array(requests[..<200]))
            let workers = (0..<4).map { index in
                JobWorker(queue: queue, handler: RecordingHandler(seen: handled, delay: .milliseconds(1)),
                          configuration: .init(owner: "worker-\(index)", concurrency: 3, lease: 2, pollInterval: 0.5),
                          log: { _ in })
            }
            let runs = workers.map { worker in Task { await worker.run() } }
            _ = try await queue.enqueue(Array(requests[200...]))  // while they work
            try await waitUntil(seconds: 60) { handled.jobs.withLock { $0.count } >= 400 }
            try await Task.sleep(for: .milliseconds(200))
            for worker in workers { worker.stop() }
            for run in runs { await run.value }
            #expect(workers.allSatisfy { $0.counts.finished > 0 })  // all four took part
        }
        let ids = handled.jobs.withLock { $0.map(\.id) }
        #expect(ids.count == 400)
        #expect(Set(ids).count == 400)
        #expect(try server.psql("SELECT state, count(*), min(attempts), max(attempts) FROM media_jobs GROUP BY state", database: database)
                == "succeeded|400|1|1")
        #expect(try server.psql("SELECT count(DISTINCT lease_owner) FROM media_jobs", database: database) == "4")
    }

    /// PostgreSQL restarts (crash-stop, down for a second) while workers run: they reconnect and finish.
    @Test func workersSurviveAPostgresRestart() async throws {
        let server = try PostgresTestServer()
        defer { server.stop() }
        let url = try server.createDatabase("restart")
        let location = try PostgresLocation(url: url, files: try TestMedia.makeTemporaryDirectory("pixsim-jobs").path)
        let handled = JobRecorder()
        let lines = JobRecorder()
        try await JobQueue.withQueue(location, connections: 12, connectTimeout: Self.connectTimeout) { queue in
            _ = try await queue.enqueue((0..<300).map { JobRequest(source: "/media/r-\($0).mp4") })
            let workers = (0..<3).map { index in
                // 100 ms a job: the 270 jobs left when the server goes down outlast the downtime.
                JobWorker(queue: queue, handler: RecordingHandler(seen: handled, delay: .milliseconds(100)),
                          configuration: .init(owner: "w\(index)", concurrency: 2, lease: 3, pollInterval: 0.3),
                          log: { line in lines.lines.withLock { $0.append(line) } })
            }
            let runs = workers.map { worker in Task { await worker.run() } }
            try await waitUntil { handled.jobs.withLock { $0.count } >= 30 }
            let before = try server.psql("SELECT pg_postmaster_start_time()", database: "restart")
            try server.restart(crash: true, downFor: 1)
            #expect(try server.psql("SELECT pg_postmaster_start_time()", database: "restart") != before, "the server restarted")
            #expect(handled.jobs.withLock { $0.count } < 300, "work was left when the server went down")
            // After the restart nobody notifies: the workers must come back on their own.
            try await waitUntil(seconds: 90) {
                (try? server.psql("SELECT count(*) FROM media_jobs WHERE state = 'succeeded'", database: "restart")) == "300"
            }
            for worker in workers { worker.stop() }
            for run in runs { await run.value }
        }
        #expect(try server.psql("SELECT state, count(*) FROM media_jobs GROUP BY state", database: "restart") == "succeeded|300")
        #expect(Set(handled.jobs.withLock { $0.map(\.id) }).count == 300)
        // (Whether a worker logs "database unreachable" depends on timing: the connection pool holds a
        // statement through a short outage and answers it once the server is back, which is no failure.)
    }

    @Test func anUnreachableDatabaseIsOneLineWithinTheTimeout() async throws {
        let port = try PostgresTestServer.freePort()
        let location = try PostgresLocation(url: "postgres://u:secret@127.0.0.1:\(port)/db", files: "/tmp")
        let started = Date()
        do {
            try await JobQueue.withQueue(location, connectTimeout: 2) { _ in }
            Issue.record("connected to nothing")
        } catch let error as LibraryError {
            #expect(error.subject == "127.0.0.1:\(port)")
            #expect(error.message.contains("cannot connect"))
            #expect(error.message.lowercased().contains("refused"))
            #expect(!error.description.contains("secret"))
        }
        #expect(Date().timeIntervalSince(started) < 5)
        // A wrong password: the server's own reason.
        let server = try PostgresTestServer.shared()
        let wrong = try PostgresLocation(url: "postgres://pixsim:wrong@127.0.0.1:\(server.port)/postgres", files: "/tmp")
        await #expect(throws: LibraryError.self) { try await JobQueue.withQueue(wrong, connectTimeout: 2) { _ in } }
        do { try await wrong.checkReachable(timeout: 2) } catch {
            #expect(error.message.contains("password authentication failed"))
        }
    }
}

/// The jobs handlers were given, in order.
final class JobRecorder: Sendable {
    let jobs = Mutex<[ClaimedJob]>([])
    let lines = Mutex<[String]>([])
}

/// Records the jobs it is given (and may take a little time, as real work does).
struct RecordingHandler: JobHandler {
    let seen: JobRecorder
    var delay: Duration = .zero

    func run(_ job: ClaimedJob) async throws -> Int64? {
        if delay > .zero { try await Task.sleep(for: delay) }
        seen.jobs.withLock { $0.append(job) }
        return job.id
    }
}

/// Polls `condition` every 20 ms until it holds, failing the test after `seconds`.
func waitUntil(seconds: Double = 30, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else {
            Issue.record("condition not met within \(seconds) s")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
