import MediaLibrary
import MediaOps

/// Why the pipeline could not do something, for one source: what `batch`
/// records as that item's error and the command line prints as
/// `error: <subject>: <message>`.
public struct PipelineError: CodedError, Equatable, CustomStringConvertible {
    public var subject: String
    /// Stable reason, from the codes every layer shares.
    public var code: ErrorCode
    public var message: String

    public typealias Code = ErrorCode

    public init(subject: String, code: ErrorCode, message: String) {
        self.subject = subject
        self.code = code
        self.message = message
    }

    /// A coded error of another layer (`MediaError`, `LibraryError`), as the pipeline reports it.
    public init(_ error: any CodedError) {
        self.init(subject: error.subject, code: error.code, message: error.message)
    }

    /// Wraps whatever was thrown: a coded error keeps its code; anything else
    /// failed the stage it was thrown from (`stage_failed`).
    public init(subject: String, _ error: any Error) {
        if let error = error as? any CodedError {
            self.init(error)
        } else {
            self.init(subject: subject, code: .stageFailed, message: "\(error)")
        }
    }

    public var description: String { "\(subject): \(message)" }
}
