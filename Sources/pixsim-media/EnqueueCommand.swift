import ArgumentParser
import Foundation
import MediaCore
import MediaDocuments
import MediaLibrary
import MediaPipeline

/// `pixsim-media enqueue SOURCE... [--manifest M]... [--stages LIST] [--priority P]`.
struct EnqueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Add jobs to the queue of a PostgreSQL library, for `worker` to run.",
        discussion: """
        One job per source and stage set: enqueueing a source that already has an unfinished job adds \
        nothing. Local paths are made absolute (workers on other hosts must see them at the same path, \
        e.g. inside the shared files folder). Workers are notified in the same transaction.
        """
    )

    @OptionGroup var options: GlobalOptions

    @Option(name: .long, help: "A generation manifest (JSON) to enqueue; repeatable.")
    var manifest: [String] = []

    @Option(name: .long, help: "Stages to run, comma-separated (default: the default stages).")
    var stages: String?

    @Option(name: .long, help: "Lower runs first (default 0).")
    var priority = 0

    @Option(name: .long, help: "Tries before the job is failed (default 5).")
    var maxAttempts = 5

    @Argument(help: "Media files or URLs.")
    var sources: [String] = []

    func validate() throws {
        if sources.isEmpty && manifest.isEmpty { throw ValidationError("give at least one SOURCE or --manifest M") }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
    }

    struct Entry: Encodable {
        var source: String
        var jobId: Int64?
        var enqueued: Bool
    }

    struct Document: Encodable {
        var jobs: [Entry]
    }

    func run() async throws {
        options.configureLogging()
        // Stages are checked here (a typo fails now, not in every worker), stored as given but normalised.
        let stageText = try stages.map { try LibraryCommandSupport.stages($0).map(\.name).joined(separator: ",") }
        var requests: [JobRequest] = []
        try await CommandOutput.run(json: options.json, subject: options.libraryDisplayName) {
            for source in sources {
                let absolute = try Self.absolute(source)
                requests.append(JobRequest(source: absolute, stages: stageText, priority: priority, maxAttempts: maxAttempts))
            }
            for path in manifest {
                let absolute = try Self.absolute(path)
                _ = try GenerationManifest.load(absolute)  // a bad manifest fails here, with its reason
                let text = try String(contentsOfFile: absolute, encoding: .utf8)
                requests.append(JobRequest(source: absolute, manifest: text, stages: stageText, priority: priority,
                                           maxAttempts: maxAttempts))
            }
        }
        try await JobCommandSupport.withQueue(options, connections: 1) { _, queue in
            let ids = try await queue.enqueue(requests)
            let entries = zip(requests, ids).map { Entry(source: $0.source, jobId: $1, enqueued: $1 != nil) }
            if options.json {
                try CommandOutput.printJSON(Document(jobs: entries))
            } else if !options.quiet {
                for entry in entries {
                    let source = DisplayText.escaped(entry.source)
                    CommandOutput.printLine(entry.jobId.map { "job \($0): \(source)" } ?? "already queued or running: \(source)")
                }
            }
        }
    }

    /// A URL as is; a path made absolute, and it must exist.
    static func absolute(_ text: String) throws(PipelineError) -> String {
        let source = try MediaSource(text)
        guard case .file(let path) = source else { return text }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw PipelineError(subject: text, code: .invalidArgument, message: "no such file")
        }
        return absolute
    }
}
