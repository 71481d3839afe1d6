import ArgumentParser
import MediaLibrary
import Foundation
import MediaDocuments
import LibAV
import Logging
import MediaPipeline

/// Options every subcommand takes (SPEC section 3).
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print exactly one JSON document on stdout.")
    var json = false

    @Option(name: .long, help: "Library folder, or postgres://user:password@host:port/database (default: $PIXSIM_MEDIA_LIBRARY, else ./pixsim-library).")
    var library: String?

    @Option(name: .customLong("files"), help: "The shared file store of a postgres:// library (or ?files=DIR in its URL).")
    var fileStore: String?

    @Flag(name: [.short, .long], help: "Show libav's messages and more detail on stderr.")
    var verbose = false

    @Flag(name: [.short, .long], help: "Print nothing but errors (and the JSON document with --json).")
    var quiet = false

    /// The library folder in force.
    var libraryPath: String {
        library ?? ProcessInfo.processInfo.environment["PIXSIM_MEDIA_LIBRARY"] ?? "./pixsim-library"
    }

    /// The library as messages name it: a URL's password replaced by `***`.
    var libraryDisplayName: String { PostgresLocation.redacted(libraryPath) }

    /// Where the library is: a folder, or a PostgreSQL database with its file store.
    func libraryLocation() throws(LibraryError) -> LibraryLocation {
        try LibraryLocation.parse(libraryPath, files: fileStore)
    }

    /// Progress goes to stderr only when stderr is a terminal and not quiet.
    var showsProgress: Bool { !quiet && isatty(STDERR_FILENO) != 0 }

    /// Sets up logging (stderr) and libav's log routing: warnings and errors
    /// by default (`defaultLevel`, `info` for the long-running `watch`),
    /// everything with `--verbose`, errors only with `--quiet`; libav itself
    /// is silent unless verbose. A future `worker` command calls it the way `watch` does.
    func configureLogging(defaultLevel: Logger.Level = .warning) {
        let level: Logger.Level = verbose ? .debug : (quiet ? .error : defaultLevel)
        PipelineLogging.bootstrap(level: level)
        var logger = Logger(label: "pixsim.libav")
        logger.logLevel = level
        LibAVLog.install(logger: logger, verbose: verbose)
    }
}
