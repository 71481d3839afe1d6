import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

extension PostgresLocation {
    /// Makes one connection and runs `SELECT 1`, within `timeout` seconds, so that a command facing an
    /// unreachable, refusing or misconfigured server says so in one line instead of waiting on a pool
    /// that retries for ever.
    /// - Throws: ``LibraryError`` `database`, subject `host:port`, naming the reason.
    public func checkReachable(timeout: Double = 5) async throws(LibraryError) {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: .disable)
        if requiresTLS {
            do { configuration.tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration())) } catch {
                throw LibraryError(subject: "\(host):\(port)", code: .database, message: "cannot set up TLS: \(error)")
            }
        }
        configuration.options.connectTimeout = .milliseconds(Int64(timeout * 1000))
        let subject = "\(host):\(port)"
        let settings = configuration
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        configuration: settings, id: 0, logger: Logger(label: "pixsim-media.connect"))
                    defer { Task { try? await connection.close() } }
                    try await connection.query("SELECT 1", logger: Logger(label: "pixsim-media.connect"))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    throw ConnectTimeout()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is ConnectTimeout {
            throw LibraryError(subject: subject, code: .database, message: "cannot connect: no answer within \(timeout) s")
        } catch {
            throw LibraryError(subject: subject, code: .database,
                               message: "cannot connect to database \(database): \(Self.reason(error))")
        }
    }

    private struct ConnectTimeout: Error {}

    /// What went wrong, in the server's or the operating system's words (a PSQLError's own description
    /// hides them on purpose; the password is never part of them).
    public static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
