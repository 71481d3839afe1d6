import Foundation
import Logging
import MediaCore

/// Where the analysis says how it decoded a video (`--verbose`): in chunks on
/// several cores or in one pass and why, what each chunk took, and how far
/// apart the workers ended. The decode is almost all of the time `segments`
/// takes, and which way it went is the first thing to know about a slow file.
enum AnalysisLog {
    static var logger: Logger { Logger(label: "pixsim.analysis") }

    /// A file's path as the logs show it: escaped, as everything from outside that is echoed.
    static func file(_ path: String) -> Logger.MetadataValue { .string(DisplayText.escaped(path)) }

    /// Seconds as the logs show them.
    static func seconds(_ duration: Duration) -> Logger.MetadataValue {
        let parts = duration.components
        return .string(String(format: "%.3f", Double(parts.seconds) + Double(parts.attoseconds) / 1e18))
    }
}
