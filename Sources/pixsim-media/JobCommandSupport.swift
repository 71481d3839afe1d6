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
        do { location = try options.libraryLocation() } catch {
            throw LibraryFailure(error)
        }
        guard case .postgres(let postgres) = location else {
            throw LibraryFailure(LibraryError(subject: options.libraryDisplayName, code: .invalidArgument,
                                              message: "the job queue needs a PostgreSQL library (--library postgres://user:password@host:port/db?files=DIR)"))
        }
        return postgres
    }

    /// Runs `body` with the queue of the library `--library` names; any failure becomes one line
    /// `error: <subject>: <reason>` and exit status 1.
    static func withQueue(_ options: GlobalOptions, connections: Int = 4,
                          _ body: (PostgresLocation, JobQueue) async throws -> Void) async throws {
        try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
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
        if case .postgres = try? options.libraryLocation() { return true }
        return false
    }

    /// The pipeline as a job handler, after checking that the files folder can be written (before any job
    /// is claimed: a worker that cannot store results would fail every job it takes).
    static func pipelineHandler(_ location: PostgresLocation, concurrency: Int) throws -> PipelineJobHandler {
        // Opening the store checks the file store is writable and the schema current.
        let store = try PostgresLibraryStore.open(location)
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
