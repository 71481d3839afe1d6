import Foundation
import HTTPTypes
import Hummingbird
import MediaCore

/// Refuses every request without `Authorization: Bearer <token>` (401, JSON), when `serve` was given a
/// token: a server reachable from other machines serves only those who know it.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.authorizes(request.headers[.authorization], token: token) else {
            throw HTTPFailure(.unauthorized, code: .unauthorized, subject: request.uri.path,
                              message: "this server needs its token: Authorization: Bearer <token>")
        }
        return try await next(request, context)
    }

    /// Whether an `Authorization` field value is `Bearer <token>`.
    static func authorizes(_ header: String?, token: String) -> Bool {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return false }
        return same(header.dropFirst(7).trimmingCharacters(in: .whitespaces), token)
    }

    /// Compares in time that depends on the lengths only, not on where the texts first differ.
    static func same(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
