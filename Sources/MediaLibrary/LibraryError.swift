// Every module that reports a LibraryError shares its codes.
@_exported import MediaCore

/// Why a library operation failed, in words a user can act on.
public struct LibraryError: CodedError, Equatable, CustomStringConvertible {
    /// What the error is about: an asset reference, a path, the library folder.
    public var subject: String
    public var code: Code
    public var message: String

    /// The codes all layers share (`not_found`, `ambiguous`, `invalid_argument`, `storage`, `database` here).
    public typealias Code = ErrorCode

    public init(subject: String, code: Code, message: String) {
        self.subject = subject
        self.code = code
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
