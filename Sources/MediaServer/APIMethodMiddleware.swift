import HTTPTypes
import Hummingbird
import MediaCore

/// Answers 405 (with `Allow`) to any method the API does not use, on any path under `/api/`: the router
/// knows routes by method, so without this a `DELETE /api/v1/assets` would read as "no such resource".
/// GET and POST on a route that takes only the other are answered 405 by ``LibraryAPI``'s own routes.
struct APIMethodMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/api/"), ![.get, .head, .post].contains(request.method) else {
            return try await next(request, context)
        }
        let allowed = request.uri.path == "/api/v1/ingest" ? "POST" : "GET"
        var response = Response.failure(HTTPFailure(.methodNotAllowed, code: .invalidArgument, subject: request.uri.path,
                                                    message: "\(request.method) is not allowed here (allowed: \(allowed))"))
        response.headers[.allow] = allowed
        return response
    }
}
