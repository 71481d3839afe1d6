import Foundation
import Logging
import Synchronization

/// Logging for the programs built on the pipeline (the command line's
/// commands, `watch`, a queue worker, a server): one setup, and the labels
/// the pipeline logs under.
///
/// What is logged: each stage's start (`debug`) and end with its duration
/// (`info`; a failure at `warning`), and the decisions worth knowing: the
/// shared analysis pass made or given up (`notice`), a download retried
/// (`warning`), an inbox item filed (`info`). A command shows warnings and
/// errors; `--verbose` shows everything; `watch` (and a worker) show `info`.
public enum PipelineLogging {
    /// The logger of the pipeline's runner and stages.
    public static var pipeline: Logger { Logger(label: "pixsim.pipeline") }
    /// Downloads.
    public static var download: Logger { Logger(label: "pixsim.download") }
    /// `watch`'s inbox.
    public static var inbox: Logger { Logger(label: "pixsim.inbox") }

    private static let bootstrapped = Mutex(false)

    /// Sends every logger of the process to stderr at `level` and above.
    /// swift-log may be bootstrapped once per process: later calls only change nothing.
    public static func bootstrap(level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Seconds as logs show them.
    static func seconds(_ value: Double) -> Logger.MetadataValue { .string(String(format: "%.3f", value)) }
}
