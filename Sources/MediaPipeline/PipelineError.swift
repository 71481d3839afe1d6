import MediaLibrary
import MediaOps

/// Why the pipeline could not do something, for one source: what `batch`
/// records as that item's error and the command line prints as
/// `error: <subject>: <message>`.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    public var subject: String
    /// Stable reason: the `MediaError` and `LibraryError` codes, plus the pipeline's own.
    public var code: String
    public var message: String

    public enum Code: String, Sendable {
        case invalidArgument = "invalid_argument"
        case download
        case tooLarge = "too_large"
        case unknownParent = "unknown_parent"
        case invalidManifest = "invalid_manifest"
        case stageUnavailable = "stage_unavailable"
        case stageFailed = "stage_failed"
        case earlierFailure = "earlier_failure"
    }

    public init(subject: String, code: Code, message: String) {
        self.subject = subject
        self.code = code.rawValue
        self.message = message
    }

    public init(_ error: MediaError) {
        subject = error.path
        code = error.code.rawValue
        message = error.message
    }

    public init(_ error: LibraryError) {
        subject = error.subject
        code = error.code.rawValue
        message = error.message
    }

    /// Wraps whatever was thrown.
    public init(subject: String, _ error: any Error) {
        if let error = error as? PipelineError {
            self = error
        } else if let error = error as? MediaError {
            self.init(error)
        } else if let error = error as? LibraryError {
            self.init(error)
        } else {
            self = PipelineError(subject: subject, code: .stageFailed, message: "\(error)")
        }
    }

    public var description: String { "\(subject): \(message)" }
}
