/// Why a library operation failed, in words a user can act on.
public struct LibraryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the error is about: an asset reference, a path, the library folder.
    public var subject: String
    public var code: Code
    public var message: String

    public enum Code: String, Sendable, Codable {
        case notFound = "not_found"
        case ambiguous
        case invalidArgument = "invalid_argument"
        case storage
        case database
    }

    public init(subject: String, code: Code, message: String) {
        self.subject = subject
        self.code = code
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}
