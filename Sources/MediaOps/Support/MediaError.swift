import LibAV

/// Why an operation on a media file failed: what the command line prints as
/// `error: <path>: <message>` and puts in JSON as `{"code", "message"}`.
///
/// Every failure of ``MediaOps`` is one of these, so callers (the command
/// line, the pipeline) report bad input the same way everywhere.
public struct MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (or URL) the error is about.
    public var path: String
    /// A stable, machine-readable reason.
    public var code: Code
    /// One line for people, including libav's own message where there is one.
    public var message: String

    public init(path: String, code: Code, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    /// Stable reasons, for JSON and for the library's `stage_runs.error`.
    public enum Code: String, Sendable, Codable, Hashable {
        case notFound = "not_found"
        case notAFile = "not_a_file"
        case unreadable
        case empty
        case notMedia = "not_media"
        case corrupt
        case truncated
        case unsupportedCodec = "unsupported_codec"
        case noVideo = "no_video"
        case noAudio = "no_audio"
        case invalidArgument = "invalid_argument"
        case invalidRange = "invalid_range"
        case outputConflict = "output_conflict"
        case outputUnwritable = "output_unwritable"
        case incompatibleInputs = "incompatible_inputs"
        case libav
    }

    public var description: String { "\(path): \(message)" }

    /// Translates a libav failure on `path` into the reason a user understands.
    public init(path: String, libav error: AVError) {
        self.path = path
        if error.code == AVError.decoderNotFoundCode {
            code = .unsupportedCodec
            message = error.message
        } else if error.isInvalidData {
            code = error.operation.hasPrefix("avformat_open_input") ? .notMedia : .corrupt
            message = error.operation.hasPrefix("avformat_open_input")
                ? "not a media file libav can read (\(error.message))"
                : "damaged media data (\(error.operation): \(error.message))"
        } else if error.isEndOfFile {
            code = .truncated
            message = "file ends before its media does (\(error.operation): \(error.message))"
        } else {
            code = .libav
            message = "\(error.operation): \(error.message)"
        }
    }
}
