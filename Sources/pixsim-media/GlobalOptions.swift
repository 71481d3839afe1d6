import ArgumentParser
import Foundation
import LibAV
import Logging

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

    /// Progress goes to stderr only when stderr is a terminal and not quiet.
    var showsProgress: Bool { !quiet && isatty(STDERR_FILENO) != 0 }

    /// Sets up logging (stderr) and libav's log routing; libav is silent unless verbose.
    func configureLogging() -> Logger {
        let level: Logger.Level = verbose ? .debug : (quiet ? .error : .warning)
        LoggingSystem.bootstrapOnce(level: level)
        var logger = Logger(label: "pixsim-media")
        logger.logLevel = level
        LibAVLog.install(logger: logger, verbose: verbose)
        return logger
    }
}

extension LoggingSystem {
    private static let bootstrapped = Mutex(false)
    /// swift-log may be bootstrapped only once per process.
    static func bootstrapOnce(level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

import Synchronization
