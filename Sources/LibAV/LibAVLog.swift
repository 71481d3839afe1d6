import CFFmpeg
import Logging
import Synchronization

/// Routes libav's own log (`av_log`) into swift-log.
///
/// libav calls its log callback from its own threads and the callback cannot
/// capture context, so lines go to one global, thread-safe sink. libav stays
/// quiet (errors are reported through ``AVError`` instead) unless a program
/// asks for more with ``LibAVLog/install(logger:verbose:)``.
public enum LibAVLog {
    private static let sink = Mutex<Logger?>(nil)

    /// Sends libav's messages to `logger`; with `verbose`, warnings and info
    /// too, otherwise nothing at all (`AV_LOG_QUIET`), since every failure
    /// that matters reaches the user as an error anyway.
    public static func install(logger: Logger, verbose: Bool) {
        sink.withLock { $0 = logger }
        installed.withLock { $0 = true }
        av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_QUIET)
        pixsim_log_install(logSink)
    }

    /// Silences libav (the default for library users that never call ``install(logger:verbose:)``).
    public static func silence() {
        av_log_set_level(AV_LOG_QUIET)
    }

    private static let installed = Mutex(false)

    /// Called when LibAV first opens a file or codec: unless a program chose
    /// otherwise with ``install(logger:verbose:)``, libav stays silent rather
    /// than writing its own lines to stderr, since failures reach the caller as ``AVError``s.
    static func useDefaultsUnlessInstalled() {
        _ = quietByDefault
    }

    private static let quietByDefault: Bool = {
        if !installed.withLock({ $0 }) { av_log_set_level(AV_LOG_QUIET) }
        return true
    }()

    fileprivate static func emit(level: Int32, line: String) {
        guard let logger = sink.withLock({ $0 }) else { return }
        let text = line.hasSuffix("\n") ? String(line.dropLast()) : line
        if text.isEmpty { return }
        let swiftLevel: Logger.Level
        switch level {
        case ...AV_LOG_ERROR: swiftLevel = .error
        case ...AV_LOG_WARNING: swiftLevel = .warning
        case ...AV_LOG_INFO: swiftLevel = .info
        default: swiftLevel = .debug
        }
        logger.log(level: swiftLevel, "\(text)", metadata: ["source": "libav"])
    }
}

/// Receives each formatted libav line from the C shim (which formats it,
/// since `va_list` cannot cross into Swift on Linux) and passes it on.
private let logSink: @convention(c) (Int32, UnsafePointer<CChar>?) -> Void = { level, line in
    guard let line else { return }
    LibAVLog.emit(level: level, line: String(cString: line))
}
