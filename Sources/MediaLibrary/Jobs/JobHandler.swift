/// What a worker does with a job it claimed. The worker owns claiming, leases,
/// fencing, retries and logging; a handler only does the work (the pipeline
/// handler, in `MediaPipeline`, is one of these).
public protocol JobHandler: Sendable {
    /// Runs `job`; returns the asset it recorded, if any.
    /// - Throws: ``JobFailure`` to fail the job (retryable or not); any other error is a retryable failure.
    func run(_ job: ClaimedJob) async throws -> Int64?
}

/// Why a job failed, and whether trying again could help (a vanished source cannot).
public struct JobFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var retryable: Bool

    public init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// A handler that does nothing: the queue's own cost (claim, lease, complete) in benchmarks, through the
/// same claim and completion path as real jobs (`worker --noop`).
public struct NoopJobHandler: JobHandler {
    /// How long each job pretends to work (zero: not at all); tests use it to cut a worker off mid-job.
    public var duration: Duration

    public init(duration: Duration = .zero) { self.duration = duration }

    public func run(_ job: ClaimedJob) async throws -> Int64? {
        if duration > .zero { try await Task.sleep(for: duration) }
        return nil
    }
}
