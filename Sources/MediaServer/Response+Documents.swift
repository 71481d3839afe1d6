import Foundation
import HTTPTypes
import Hummingbird
import MediaCore
import MediaDocuments

/// The responses every route builds: documents as JSON, pages as HTML, each with the headers that keep a
/// browser from second-guessing them (`nosniff`) and pages from running anything but our own script.
extension Response {
    /// The page's Content-Security-Policy: scripts and everything else only from `serve` itself; inline
    /// style attributes allowed, for the colours of timeline bands (computed, never text from a file).
    static let pagePolicy = "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self' 'unsafe-inline'; "
        + "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    /// An encoded document.
    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .xContentTypeOptions: "nosniff",
                                           .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A document encoded as the command line prints it (snake_case keys), compact.
    static func json(_ document: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        json(try DocumentEncoding.makeEncoder(pretty: false).encode(document), status: status)
    }

    /// A rendered page.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        html(ByteBuffer(string: text), status: status)
    }

    /// A rendered page, already UTF-8.
    static func html(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        html(ByteBuffer(bytes: data), status: status)
    }

    private static func html(_ body: ByteBuffer, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .xContentTypeOptions: "nosniff",
                                           .contentSecurityPolicy: pagePolicy, .cacheControl: "no-store",
                                           .referrerPolicy: "no-referrer"],
                 body: ResponseBody(byteBuffer: body))
    }

    /// `{"path": subject, "error": {"code", "message"}}`, the command line's failure document.
    static func failure(_ failure: HTTPFailure) -> Response {
        var response = (try? json(FailureDocument(failure), status: failure.status))
            ?? Response(status: failure.status)
        if failure.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"pixsim-media\"" }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
