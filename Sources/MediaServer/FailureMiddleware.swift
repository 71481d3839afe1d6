import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MediaCore

/// Turns whatever a route throws into the answer the client can read: JSON (`{"path", "error": {"code",
/// "message"}}`) for the API and media, an HTML page for the pages. Errors of no known kind are logged
/// here with their detail and answered with a bare 500.
struct FailureMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let pages: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = HTTPFailure(error, subject: request.uri.path)
            if failure.code == .internal || failure.status.code >= 500 {
                logger.error("\(request.method) \(DisplayText.escaped(request.uri.path, maximumLength: 200)): \(DisplayText.escaped(String(describing: error), maximumLength: 500))")
            }
            let path = request.uri.path
            // A refusal for want of the token is JSON everywhere: whoever lacks it is a client, not a reader.
            if path.hasPrefix("/api/") || path.hasPrefix("/media/") || path.hasPrefix("/static/") || request.method != .get
                || failure.code == .unauthorized {
                return Response.failure(failure)
            }
            return Response.html(pages.errorPage(failure), status: failure.status)
        }
    }
}
