import ArgumentParser
import Foundation
import Logging
import MediaLibrary
import MediaPipeline

/// What `enqueue`, `worker` and `jobs` share: the PostgreSQL library they need,
/// the queue opened on it, failures as one line, and the JSON form of a job.
enum JobCommandSupport {
    /// The PostgreSQL library named by `--library`, or a usage error: the queue lives in PostgreSQL only.
    static func location(_ options: GlobalOptions) throws -> PostgresLocation {
        let location: LibraryLocation
        do { location = try LibraryLocation.parse(options.libraryPath) } catch {
            throw LibraryFailure(error)
        }
        guard case .postgres(let postgres) = location else {
            throw LibraryFailure(LibraryError(subject: options.libraryPath, code: .invalidArgument,
                                              message: "the job queue needs a PostgreSQL library (--library postgres://user:password@host:port/db?files=DIR)"))
        }
        return postgres
    }

    /// Runs `body` with the queue of the library `--library` names; any failure becomes one line
    /// `error: <subject>: <reason>` and exit status 1.
    static func withQueue(_ options: GlobalOptions, connections: Int = 4,
                          _ body: (PostgresLocation, JobQueue) async throws -> Void) async throws {
        try await LibraryCommandSupport.run(json: options.json) {
            let location: PostgresLocation
            do { location = try Self.location(options) } catch let failure as LibraryFailure { throw failure.error }
            do {
                try await JobQueue.withQueue(location, connections: connections) { queue in
                    try await body(location, queue)
                }
            } catch let error as LibraryError {
                throw error
            } catch let error as PipelineError {
                throw error
            } catch let error as ExitCode {
                throw error
            } catch {
                throw LibraryError(subject: location.displayName, code: .database, message: PostgresLocation.reason(error))
            }
        }
    }

    /// Whether `--library` names a PostgreSQL library (where `batch` and `watch` go through the queue).
    static func isPostgres(_ options: GlobalOptions) -> Bool {
        if case .postgres = try? LibraryLocation.parse(options.libraryPath) { return true }
        return false
    }

    /// The pipeline as a job handler, after checking that the files folder can be written (before any job
    /// is claimed: a worker that cannot store results would fail every job it takes).
    static func pipelineHandler(_ location: PostgresLocation, concurrency: Int) throws -> PipelineJobHandler {
        try PipelineJobHandler.checkWritable(location.files)
        // The library's tables on PostgreSQL come with the store's PostgreSQL engine (issue 9 part 1);
        // until then the pipeline records into a SQLite library inside the shared files folder.
        let store = try MediaStore.open(folder: location.files)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return PipelineJobHandler(runner: LibraryCommandSupport.makeRunner(store, decoderThreads: max(1, cores / concurrency)))
    }

    /// The worker's one line per job, on stderr.
    static func workerLog(_ options: GlobalOptions) -> @Sendable (String) -> Void {
        let quiet = options.quiet
        return { line in if !quiet { FileHandle.standardError.write(Data("worker: \(line)\n".utf8)) } }
    }

    struct LibraryFailure: Error {
        var error: LibraryError
        init(_ error: LibraryError) { self.error = error }
    }
}

/// A job as `jobs list`, `jobs show` and `enqueue` print it (times in ISO 8601, UTC).
struct JobDocument: Encodable, Sendable {
    var id: Int64
    var createdAt: String
    var source: String
    var manifest: String?
    var stages: String?
    var dedupeKey: String
    var priority: Int
    var runAfter: String
    var state: String
    var attempts: Int
    var maxAttempts: Int
    var leaseOwner: String?
    var leaseToken: String?
    var leaseExpiresAt: String?
    var lastError: String?
    var assetId: Int64?
    var startedAt: String?
    var finishedAt: String?

    init(_ job: MediaJob) {
        let time = LibraryCommandSupport.timestamp
        id = job.id
        createdAt = time(job.createdAt)
        source = job.source
        manifest = job.manifest
        stages = job.stages
        dedupeKey = job.dedupeKey
        priority = job.priority
        runAfter = time(job.runAfter)
        state = job.state.rawValue
        attempts = job.attempts
        maxAttempts = job.maxAttempts
        leaseOwner = job.leaseOwner
        leaseToken = job.leaseToken?.uuidString.lowercased()
        leaseExpiresAt = job.leaseExpiresAt.map(time)
        lastError = job.lastError
        assetId = job.assetID
        startedAt = job.startedAt.map(time)
        finishedAt = job.finishedAt.map(time)
    }

    /// Every column, for `jobs show`.
    var fields: [(String, String?)] {
        [("id", "\(id)"), ("state", state), ("source", source), ("stages", stages), ("priority", "\(priority)"),
         ("attempts", "\(attempts)/\(maxAttempts)"), ("dedupe_key", dedupeKey), ("created_at", createdAt),
         ("run_after", runAfter), ("started_at", startedAt), ("finished_at", finishedAt), ("lease_owner", leaseOwner),
         ("lease_token", leaseToken), ("lease_expires_at", leaseExpiresAt), ("asset_id", assetId.map { "\($0)" }),
         ("last_error", lastError), ("manifest", manifest)]
    }

    /// One line: `#12 queued  attempts 0/5  /path/to/source`.
    var line: String {
        var text = "#\(id) \(state) attempts \(attempts)/\(maxAttempts) \(Self.printable(source))"
        if let assetId { text += " asset \(assetId)" }
        if let lastError { text += " — \(Self.printable(lastError))" }
        return text
    }

    /// Control characters escaped (we echo what others wrote into the table).
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }.joined()
    }
}
