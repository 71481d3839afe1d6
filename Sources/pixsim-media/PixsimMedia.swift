import ArgumentParser

/// The `pixsim-media` command: parse, call ``MediaOps`` (and later the
/// library and pipeline), print. No media logic lives here.
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
            IngestCommand.self,
            BatchCommand.self,
            WatchCommand.self,
            AssetsCommand.self,
            LineageCommand.self,
            MatchCommand.self,
            ClipsCommand.self,
            BranchCommand.self,
            ComposeCommand.self,
            EnqueueCommand.self,
            WorkerCommand.self,
            JobsCommand.self,
        ]
    )
}
