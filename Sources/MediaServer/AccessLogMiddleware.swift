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
        Self.record(logger, method: request.method, path: request.uri.path, status: response.status,
                    bytes: response.headers[.contentLength], since: started)
        return response
    }

    /// The line for one answered request (``DirectMediaHandler`` writes its own answers' lines with it).
    static func record(_ logger: Logger, method: HTTPRequest.Method, path: String, status: HTTPResponse.Status, bytes: String?,
                       since started: ContinuousClock.Instant) {
        guard logger.logLevel <= .info else { return }
        let elapsed = started.duration(to: .now)
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("\(method) \(DisplayText.escaped(path, maximumLength: 200)) \(status.code)", metadata: [
            "status": "\(status.code)",
            "bytes": "\(bytes ?? "-")",
            "ms": .string(String(format: "%.2f", milliseconds)),
        ])
    }
}
