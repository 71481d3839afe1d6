import ArgumentParser
import Foundation
import MediaOps

/// The `pixsim-media` command: parse, call ``MediaOps`` (and later the
/// library and pipeline), print. No media logic lives here.
///
/// Every command and subcommand names itself (`commandName:`): without it ArgumentParser
/// derives the name with `String(describing:)` on the type at every start, and the
/// runtime's first protocol checks on a type scan all of this binary's conformance
/// records (the Swift runtime and Foundation are linked in): six unnamed `jobs`
/// subcommands cost 2.4 ms of each process's start (perf, 30 starts).
@main
struct PixsimMedia: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pixsim-media",
        abstract: "Process AI-generated video: probe, analyse, cut, concatenate, and track lineage.",
        discussion: """
        File commands work on files directly. Library commands keep assets, \
        segments, clips, branches and lineage in a SQLite library (--library).
        """,
        version: "0.1.0",
        subcommands: [
            ProbeCommand.self,
            ClipCommand.self,
            ConcatCommand.self,
            KeyframesCommand.self,
            ThumbnailCommand.self,
            StoryboardCommand.self,
            SegmentsCommand.self,
            LoopsCommand.self,
            VariantsCommand.self,
            IngestCommand.self,
            BatchCommand.self,
            WatchCommand.self,
            AssetsCommand.self,
            LineageCommand.self,
            MatchCommand.self,
            ClipsCommand.self,
            BranchCommand.self,
            ComposeCommand.self,
            VerifyCommand.self,
            EvictCommand.self,
            SyncCommand.self,
            EnqueueCommand.self,
            WorkerCommand.self,
            JobsCommand.self,
            ServeCommand.self,
        ]
    )

    /// Refuses a file name that starts with `-` before the parser reads it as
    /// a cluster of short flags (`probe -dash.mp4` would otherwise mean `-h`
    /// and print help with status 0).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let name = OptionLookingFileName.find(in: arguments) {
            let command = arguments.first.map { $0.hasPrefix("-") ? "COMMAND" : $0 } ?? "COMMAND"
            FileHandle.standardError.write(Data((DisplayText.line(
                "error", subject: name,
                message: "looks like an option; to name a file that starts with '-', put '--' before it (pixsim-media \(command) -- \(name))") + "\n").utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        // A one-shot command stopped by Ctrl-C or SIGTERM takes its temporary outputs with it. `watch`, `worker`
        // and a batch on a queue replace this handler with their graceful stop (`StopSignal`); `serve` keeps
        // none, since its service lifecycle's signal source must see the signal rather than a handler ending
        // the process.
        if arguments.first != "serve" { InterruptedRunCleanup.removeTrackedFilesOnStopSignals() }
        await Self.main(nil)
    }
}
