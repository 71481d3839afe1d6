import ArgumentParser
import Foundation
import MediaCore
import MediaDocuments
import MediaLibrary

/// `pixsim-media jobs list|show|retry|cancel|stats|prune`: look at the queue and steer it.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Look at and steer the job queue of a PostgreSQL library.",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Stats.self, Prune.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Jobs, newest first.")
        @OptionGroup var options: GlobalOptions
        @Option(name: .long, help: "Only jobs in this state: queued, running, succeeded, failed, cancelled.")
        var state: String?
        @Option(name: .long, help: "At most this many (default 50).")
        var limit = 50

        func run() async throws {
            options.configureLogging()
            let wanted: MediaJob.State?
            if let state {
                guard let parsed = MediaJob.State(rawValue: state) else {
                    throw ValidationError("--state: one of \(MediaJob.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                wanted = parsed
            } else {
                wanted = nil
            }
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let jobs = try await queue.list(state: wanted, limit: limit).map(JobDocument.init)
                if options.json {
                    try CommandOutput.printJSON(["jobs": jobs])
                } else {
                    for job in jobs { CommandOutput.printLine(job.line) }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One job, every column.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: Int64

        func run() async throws {
            options.configureLogging()
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let job = try await JobsCommand.existingJob(queue, id: id)
                let document = JobDocument(job)
                if options.json {
                    try CommandOutput.printJSON(document)
                } else {
                    for (label, value) in document.fields {
                        CommandOutput.printLine("\(label): \(DisplayText.escaped(value ?? "-"))")
                    }
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a failed or cancelled job again (attempts reset).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: Int64

        func run() async throws {
            options.configureLogging()
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let job = try await JobsCommand.existingJob(queue, id: id)
                let retried: Bool
                do { retried = try await queue.retry(id: id) } catch {
                    throw LibraryError(subject: "job \(id)", code: .invalidArgument,
                                       message: "another unfinished job has the same source and stages (\(PostgresLocation.reason(error)))")
                }
                guard retried else {
                    throw LibraryError(subject: "job \(id)", code: .invalidArgument,
                                       message: "is \(job.state.rawValue); only failed or cancelled jobs can be retried")
                }
                try await JobsCommand.printResult(queue, id: id, options: options, verb: "queued again")
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel a queued or running job (a running job's worker then has its result refused).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The job's id.") var id: Int64

        func run() async throws {
            options.configureLogging()
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let job = try await JobsCommand.existingJob(queue, id: id)
                guard try await queue.cancel(id: id) else {
                    throw LibraryError(subject: "job \(id)", code: .invalidArgument,
                                       message: "is \(job.state.rawValue); only queued or running jobs can be cancelled")
                }
                try await JobsCommand.printResult(queue, id: id, options: options, verb: "cancelled")
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts by state, the oldest waiting job, throughput.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            options.configureLogging()
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let statistics = try await queue.statistics()
                if options.json {
                    try CommandOutput.printJSON(statistics)
                } else {
                    for state in MediaJob.State.allCases {
                        CommandOutput.printLine("\(state.rawValue): \(statistics.counts[state.rawValue] ?? 0)")
                    }
                    CommandOutput.printLine("oldest queued: " + (statistics.oldestQueuedAgeSeconds.map { String(format: "%.1f s ago", $0) } ?? "none"))
                    CommandOutput.printLine(String(format: "finished: %.2f jobs/s over the last minute, %ld in the last ten minutes",
                                                   statistics.finishedPerSecondLastMinute, statistics.finishedLastTenMinutes))
                }
            }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Delete finished jobs older than some days.")
        @OptionGroup var options: GlobalOptions
        @Option(name: .long, help: "Days since the job finished (default 7).") var olderThan = 7.0

        func run() async throws {
            options.configureLogging()
            try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
                let count = try await queue.prune(olderThan: olderThan * 86400)
                if options.json { try CommandOutput.printJSON(["pruned": count]) } else { CommandOutput.printLine("pruned \(count) job(s)") }
            }
        }
    }

    /// The job `id`, or `not_found`.
    static func existingJob(_ queue: JobQueue, id: Int64) async throws -> MediaJob {
        guard let job = try await queue.job(id: id) else {
            throw LibraryError(subject: "job \(id)", code: .notFound, message: "no such job")
        }
        return job
    }

    static func printResult(_ queue: JobQueue, id: Int64, options: GlobalOptions, verb: String) async throws {
        guard let job = try await queue.job(id: id) else { return }
        if options.json { try CommandOutput.printJSON(JobDocument(job)) } else { CommandOutput.printLine("job \(id) \(verb)") }
    }
}
