import Foundation
import Logging
import NIOCore
import PostgresNIO

extension PostgresLocation {
    /// Makes one connection and runs `SELECT 1`, within `timeout` seconds, so that a command facing an
    /// unreachable, refusing or misconfigured server says so in one line instead of waiting on a pool
    /// that retries for ever. The configuration and the wording are the store's
    /// (``PostgresLibraryStore/open(_:)``), so both say the same thing about the same fault.
    /// - Throws: ``LibraryError`` `database` naming host and port (or the database) and the reason.
    public func checkReachable(timeout: Double = 5) async throws(LibraryError) {
        let settings: PostgresConnection.Configuration
        do { settings = try connectionConfiguration(connectTimeout: .milliseconds(Int64(timeout * 1000))) } catch {
            throw LibraryError(subject: "\(host):\(port)", code: .database, message: "cannot set up TLS: \(error)")
        }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let logger = Logger(label: "pixsim-media.connect")
                    let connection = try await PostgresConnection.connect(configuration: settings, id: 0, logger: logger)
                    defer { Task { try? await connection.close() } }
                    try await connection.query("SELECT 1", logger: logger)
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    throw ConnectTimeout()
                }
                try await group.next()
                group.cancelAll()
            }
        } catch is ConnectTimeout {
            throw LibraryError(subject: "\(host):\(port)", code: .database, message: "cannot connect to PostgreSQL: no answer within \(timeout) s")
        } catch {
            throw PostgresLibraryStore.connectFailure(self, error)
        }
    }

    private struct ConnectTimeout: Error {}

    /// What went wrong, in the server's or the operating system's words (never the password): for log
    /// lines and messages about a failed statement.
    public static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] { return message }
        if let error = error as? PSQLError, let underlying = error.underlying { return PostgresLibraryStore.reason(underlying) }
        return PostgresLibraryStore.reason(error)
    }
}
