import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MediaCore

/// One log line per request, after it is answered: method, path, status, bytes announced and milliseconds
/// (structured metadata, so a log collector can read it). Outermost, so refused and failed requests are
/// logged with the status they got.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("\(request.method) \(DisplayText.escaped(request.uri.path, maximumLength: 200)) \(response.status.code)", metadata: [
            "status": "\(response.status.code)",
            "bytes": "\(response.headers[.contentLength] ?? "-")",
            "ms": .string(String(format: "%.2f", milliseconds)),
        ])
        return response
    }
}
