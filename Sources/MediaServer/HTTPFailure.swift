import Foundation
import HTTPTypes
import Hummingbird
import MediaCore

/// A failed request as the server answers it: an HTTP status with the SPEC's
/// error code and a message, whatever threw it (the library, the pipeline,
/// Hummingbird itself or the server's own checks). One mapping from codes to
/// statuses, so the API and the pages never disagree about what a failure is.
public struct HTTPFailure: CodedError, Equatable {
    public var status: HTTPResponse.Status
    public var subject: String
    public var code: ErrorCode
    public var message: String

    public init(_ status: HTTPResponse.Status, code: ErrorCode, subject: String, message: String) {
        self.status = status
        self.subject = subject
        self.code = code
        self.message = message
    }

    /// Any error as a failure about `subject`; errors of no known kind become a 500 that says no more than that
    /// (their text may hold paths or SQL: it goes to the log, not to the client).
    public init(_ error: any Error, subject: String) {
        switch error {
        case let failure as HTTPFailure:
            self = failure
        case let coded as any CodedError:
            self.init(Self.status(for: coded.code), code: coded.code, subject: coded.subject.isEmpty ? subject : coded.subject,
                      message: coded.message)
        case let http as any HTTPResponseError:
            let code: ErrorCode = switch http.status.code {
            case 401: .unauthorized
            case 404: .notFound
            case 413: .tooLarge
            case 416: .invalidRange
            case 400..<500: .invalidArgument
            default: .internal
            }
            let message = (http as? HTTPError)?.body ?? http.status.reasonPhrase
            self.init(http.status, code: code, subject: subject, message: message.isEmpty ? http.status.reasonPhrase : message)
        default:
            self.init(.internalServerError, code: .internal, subject: subject, message: "internal error (see the server's log)")
        }
    }

    /// The HTTP status of a coded failure.
    public static func status(for code: ErrorCode) -> HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        // A reference that names several things conflicts with the library's state; more digits resolve it.
        case .ambiguous: .conflict
        case .unauthorized: .unauthorized
        case .tooLarge: .contentTooLarge
        case .invalidRange: .rangeNotSatisfiable
        case .invalidArgument, .invalidManifest, .unknownParent, .notMedia, .empty, .notAFile, .corrupt,
             .truncated, .unsupportedCodec, .noVideo, .noAudio, .incompatibleInputs, .earlierFailure:
            .badRequest
        case .download: .badGateway
        case .stageUnavailable: .notImplemented
        case .unreadable, .outputConflict, .outputUnwritable, .libav, .storage, .database, .stageFailed, .internal:
            .internalServerError
        }
    }

    static func notFound(_ subject: String, _ message: String) -> HTTPFailure {
        HTTPFailure(.notFound, code: .notFound, subject: subject, message: message)
    }

    static func badRequest(_ subject: String, _ message: String) -> HTTPFailure {
        HTTPFailure(.badRequest, code: .invalidArgument, subject: subject, message: message)
    }
}
