import LibAV
// Every module that reports a MediaError shares its codes.
@_exported import MediaCore

/// Why an operation on a media file failed: what the command line prints as
/// `error: <path>: <message>` and puts in JSON as `{"code", "message"}`.
///
/// Every failure of ``MediaOps`` is one of these, so callers (the command
/// line, the pipeline) report bad input the same way everywhere.
public struct MediaError: CodedError, Equatable, CustomStringConvertible {
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

    /// Stable reasons, for JSON and for the library's `stage_runs.error`: the codes all layers share.
    public typealias Code = ErrorCode

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
                : "damaged media data (\(error.detail))"
        } else if error.isStorageFailure && Self.writingOperations.contains(where: { error.operation.hasPrefix($0) }) {
            // A full disk while muxing is the output's problem, and must read as one (the pipeline
            // does not hold it against the input: ``ErrorCode/outputUnwritable``).
            code = .outputUnwritable
            message = "cannot write the output (\(error.detail))"
        } else if error.isEndOfFile {
            code = .truncated
            message = "file ends before its media does (\(error.detail))"
        } else {
            code = .libav
            message = error.detail
        }
    }
}

extension MediaError {
    /// The libav calls that write an output file.
    static let writingOperations = ["avio_open", "avformat_write_header", "av_interleaved_write_frame", "av_write_frame",
                                    "av_write_trailer"]

    /// The file the error is about (``CodedError``).
    public var subject: String { path }

    /// Runs `body`, which reads the input at `path` (opens its decoders, demuxes, decodes, scales
    /// its pictures), so that a libav error there names that input. An operation that writes
    /// several inputs into one output otherwise reports every error against the output.
    static func attributing<T>(to path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as AVError { throw MediaError(path: path, libav: error) }
    }
}
