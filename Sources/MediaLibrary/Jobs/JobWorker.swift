import Foundation
import Logging
import MediaCore
import PostgresNIO
import Synchronization

/// A worker: claims jobs from ``JobQueue`` and runs them with a ``JobHandler``,
/// up to `concurrency` at a time, until ``stop()``.
///
/// - Woken by `LISTEN pixsim_media_jobs` (a job enqueued anywhere starts here
///   within milliseconds), by its own jobs finishing, and by a poll timer, the
///   fallback for notifications lost while the listening connection was down
///   and for jobs whose `run_after` comes due.
/// - Renews the leases of the jobs in hand every third of the lease, and runs
///   the rescue of expired leases (any worker may: it is one `UPDATE`).
/// - Database errors (a restart, a network cut) never end the worker: it backs
///   off (0.1 s doubling to 5 s) and tries again; the connection pool reconnects.
/// - ``stop()``: claims nothing more, waits up to the grace period for the jobs
///   in hand, then releases those still running so that others take them at once.
///
/// Every job logs one line through `log`.
public final class JobWorker: Sendable {
    public struct Configuration: Sendable {
        /// Names this worker in `lease_owner` (host and process by default).
        public var owner: String
        public var concurrency: Int
        /// Seconds a lease lasts without renewal; a dead worker's jobs are taken again after this.
        public var lease: Double
        /// Seconds between polls when no notification comes.
        public var pollInterval: Double
        /// Seconds the jobs in hand get to finish after ``JobWorker/stop()``.
        public var grace: Double
        /// Finished jobs older than this many seconds are pruned now and then (nil: never).
        public var pruneAfter: Double?

        public init(owner: String = JobWorker.defaultOwner, concurrency: Int = 1, lease: Double = 30,
                    pollInterval: Double = 1, grace: Double = 30, pruneAfter: Double? = 7 * 86400) {
            self.owner = owner
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.pollInterval = pollInterval
            self.grace = grace
            self.pruneAfter = pruneAfter
        }
    }

    /// `host:pid`.
    public static var defaultOwner: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    public let queue: JobQueue
    public let handler: any JobHandler
    public let configuration: Configuration
    private let log: @Sendable (String) -> Void

    private struct State {
        var inHand: [UUID: ClaimedJob] = [:]
        var stopping = false
        var finished = 0
        var refused = 0
        var databaseDown = false
    }
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    public init(queue: JobQueue, handler: any JobHandler, configuration: Configuration,
                log: @escaping @Sendable (String) -> Void) {
        self.queue = queue
        self.handler = handler
        self.configuration = configuration
        self.log = log
        (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the worker to stop: no more claims; the jobs in hand get the grace period.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeup.yield()
    }

    public var isStopping: Bool { state.withLock { $0.stopping } }

    /// Jobs this worker recorded (succeeded or failed), and completions refused by the fence.
    public var counts: (finished: Int, refused: Int) { state.withLock { ($0.finished, $0.refused) } }

    /// Runs until ``stop()``; returns once the jobs in hand finished or were released.
    public func run() async {
        let background = [
            Task { await self.listen() },
            Task { await self.tick() },
            Task { await self.heartbeat() },
        ]
        var backoff = 0.1
        var iterator = wakeups.makeAsyncIterator()
        while !isStopping {
            let free = configuration.concurrency - state.withLock { $0.inHand.count }
            var claimedAll = false
            if free > 0 {
                do {
                    let jobs = try await bounded { [queue, configuration] in
                        try await queue.claim(owner: configuration.owner, limit: free, lease: configuration.lease)
                    }
                    databaseBack()
                    backoff = 0.1
                    for job in jobs {
                        state.withLock { $0.inHand[job.leaseToken] = job }
                        Task { await self.process(job) }
                    }
                    claimedAll = !jobs.isEmpty && jobs.count == free
                } catch {
                    databaseDown(error)
                    try? await Task.sleep(for: .seconds(backoff))
                    backoff = min(backoff * 2, 5)
                    continue
                }
            }
            if claimedAll { continue }  // there may be more waiting: claim again once a slot frees
            _ = await iterator.next()
        }
        // Stopping: give the jobs in hand their grace period, then hand back what is left.
        let deadline = Date().addingTimeInterval(configuration.grace)
        while state.withLock({ !$0.inHand.isEmpty }) && Date() < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        for job in state.withLock({ Array($0.inHand.values) }) {
            let released = (try? await bounded { [queue] in try await queue.release(job) }) ?? false
            log("job \(job.id) \(released ? "released" : "not released (lease already lost)") at shutdown: \(DisplayText.escaped(job.source))")
        }
        for task in background { task.cancel() }
        wakeup.finish()
    }

    // MARK: One job

    private func process(_ job: ClaimedJob) async {
        let started = ContinuousClock.now
        var assetID: Int64?
        var failure: JobFailure?
        do {
            assetID = try await handler.run(job)
        } catch let error as JobFailure {
            failure = error
        } catch {
            failure = JobFailure("\(error)")
        }
        let seconds = (ContinuousClock.now - started).seconds
        // Record the outcome; through a database outage, keep trying until the lease has surely expired
        // (after which the fence refuses it anyway and another worker redoes the job).
        var delay = 0.1
        let giveUp = Date().addingTimeInterval(configuration.lease * 2 + 5)
        var recorded: Bool?
        while recorded == nil {
            do {
                if let failure {
                    recorded = try await bounded { [queue] in try await queue.fail(job, error: failure.message, retryable: failure.retryable) }
                } else {
                    let asset = assetID
                    recorded = try await bounded { [queue] in try await queue.complete(job, assetID: asset) }
                }
            } catch {
                databaseDown(error)
                guard Date() < giveUp else { break }
                try? await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 2)
            }
        }
        if recorded != nil { databaseBack() }
        state.withLock { state in
            state.inHand[job.leaseToken] = nil
            if recorded == true { state.finished += 1 } else { state.refused += 1 }
        }
        wakeup.yield()
        let source = DisplayText.escaped(job.source)
        let time = String(format: "%.2f s", seconds)
        switch (recorded, failure) {
        case (.some(true), .none):
            log("job \(job.id) succeeded in \(time): \(source)" + (assetID.map { " (asset \($0))" } ?? ""))
        case (.some(true), .some(let failure)):
            let next = failure.retryable && job.attempt < job.maxAttempts ? "will retry" : "failed for good"
            log("job \(job.id) failed (attempt \(job.attempt)/\(job.maxAttempts), \(next)) in \(time): \(source): \(DisplayText.escaped(failure.message))")
        case (.some(false), _):
            log("job \(job.id) result refused after \(time): its lease was lost (expired and taken again, or cancelled); the newer result stands: \(source)")
        case (.none, _):
            log("job \(job.id) result not recorded after \(time): database unreachable; its lease will expire and another worker redoes it: \(source)")
        }
    }

    // MARK: Background

    /// LISTEN on the channel, reconnecting with backoff; each notification wakes the claim loop.
    private func listen() async {
        var backoff = 0.1
        while !Task.isCancelled && !isStopping {
            do {
                try await queue.client.withConnection { connection in
                    try await connection.listen(on: JobQueue.channel) { notifications in
                        backoff = 0.1
                        wakeup.yield()  // anything enqueued while we were not listening
                        for try await _ in notifications { wakeup.yield() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
            }
            try? await Task.sleep(for: .seconds(backoff))
            backoff = min(backoff * 2, 5)
        }
    }

    /// The polling fallback.
    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(configuration.pollInterval))
            wakeup.yield()
        }
    }

    /// Renews leases every third of the lease; rescues expired leases and prunes now and then.
    private func heartbeat() async {
        let period = configuration.lease / 3
        var lastRescue = Date.distantPast
        var lastPrune = Date.distantPast
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(period))
            if Task.isCancelled { return }
            let tokens = state.withLock { Array($0.inHand.keys) }
            if !tokens.isEmpty, let held = try? await bounded({ [queue, configuration] in try await queue.renew(tokens: tokens, lease: configuration.lease) }) {
                for token in tokens where !held.contains(token) {
                    if let job = state.withLock({ $0.inHand[token] }) {
                        log("job \(job.id) lost its lease while running (rescued or cancelled): its result will be refused")
                    }
                }
            }
            if Date().timeIntervalSince(lastRescue) >= configuration.lease / 2 {
                lastRescue = Date()
                if let rescued = try? await bounded({ [queue] in try await queue.rescueExpiredLeases() }), !rescued.isEmpty {
                    log("rescued \(rescued.count) job(s) whose lease expired: \(rescued.map { "\($0)" }.joined(separator: ", "))")
                    wakeup.yield()
                }
            }
            if let age = configuration.pruneAfter, Date().timeIntervalSince(lastPrune) >= 600 {
                lastPrune = Date()
                _ = try? await queue.prune(olderThan: age)
            }
        }
    }

    // MARK: Statements with a deadline

    /// How long one queue statement may go unanswered before the worker gives up on it: half the
    /// lease (at most 10 s), so that a connection that died without a word (a server crash, a cut
    /// link) cannot keep a finished job "in hand", and its lease renewed, for ever.
    var statementTimeout: Double { min(10, max(0.5, configuration.lease / 2)) }

    /// A statement that got no answer within ``statementTimeout``.
    struct StatementTimeout: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "no answer from the database within \(seconds) s" }
    }

    /// Runs `body` (one queue statement), throwing ``StatementTimeout`` when it has not answered in time.
    /// The statement's task is left to end on its own: postgres-nio gives a query on a dead connection
    /// no deadline, and waiting for it is exactly what must not happen.
    private func bounded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let seconds = statementTimeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try await Task.sleep(for: .seconds(seconds))
                once.resume(with: .failure(StatementTimeout(seconds: seconds)))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                timer.cancel()
                once.resume(with: result)
            }
        }
    }

    private func databaseDown(_ error: any Error) {
        let first = state.withLock { state in
            defer { state.databaseDown = true }
            return !state.databaseDown
        }
        if first { log("database unreachable (\(PostgresLocation.reason(error))); retrying with backoff") }
    }

    private func databaseBack() {
        let was = state.withLock { state in
            defer { state.databaseDown = false }
            return state.databaseDown
        }
        if was { log("database reachable again") }
    }
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Resumes a continuation with whichever result comes first (the statement's or the timer's).
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { waiting in
            waiting?.resume(with: result)
            waiting = nil
        }
    }
}
