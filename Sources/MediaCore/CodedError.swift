/// An error that says what it is about, why (an ``ErrorCode``) and, in one
/// line for people, what went wrong. `MediaError`, `LibraryError` and
/// `PipelineError` are all coded errors, so whoever reports an error (the
/// command line, the pipeline's records, a server) needs no list of types.
public protocol CodedError: Error, Sendable {
    /// The file, URL, asset reference or option the error is about.
    var subject: String { get }
    var code: ErrorCode { get }
    var message: String { get }
}

/// Any thrown error as a coded one: the one place where an error of no known
/// kind gets a code (``ErrorCode/internal``) and a subject (the caller's).
public struct ErrorReport: CodedError, Equatable, CustomStringConvertible {
    public var subject: String
    public var code: ErrorCode
    public var message: String

    public init(subject: String, code: ErrorCode, message: String) {
        self.subject = subject
        self.code = code
        self.message = message
    }

    /// `error` as reported about `subject` (used only when `error` names no subject of its own).
    public init(_ error: any Error, subject: String) {
        if let coded = error as? any CodedError {
            self.init(subject: coded.subject.isEmpty ? subject : coded.subject, code: coded.code, message: coded.message)
        } else {
            self.init(subject: subject, code: .internal, message: String(describing: error))
        }
    }

    /// The line printed on stderr: `error: <subject>: <message>`, on one line,
    /// with control characters escaped and huge values cut (a file name or a message may hold any bytes).
    public var line: String { DisplayText.line("error", subject: subject, message: message) }

    public var description: String { "\(subject): \(message)" }
}
