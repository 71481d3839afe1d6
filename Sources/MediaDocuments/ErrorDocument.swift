import Foundation
import MediaCore
import MediaLibrary
import MediaOps
import MediaPipeline

/// The JSON form of an error: `{"code": "...", "message": "..."}`.
public struct ErrorDocument: Encodable, Sendable {
    public var code: ErrorCode
    public var message: String

    public init(_ error: any CodedError) {
        code = error.code
        message = error.message
    }
}

/// `{"path": ..., "error": {"code", "message"}}`: a command (or one input) that failed.
public struct FailureDocument: Encodable {
    public var path: String
    public var error: ErrorDocument

    public init(_ error: any CodedError) {
        path = error.subject
        self.error = ErrorDocument(error)
    }
}
