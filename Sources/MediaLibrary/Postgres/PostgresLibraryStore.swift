import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The PostgreSQL engine of ``LibraryStore``: the library's tables in a shared
/// database, its files in a shared folder every worker mounts (SPEC section 7).
///
/// ```swift
/// let store = try PostgresLibraryStore.open(try PostgresLocation(url: "postgres://media@db/media?files=/mnt/media"))
/// ```
///
/// **Sync over async, without deadlock.** The protocol is synchronous (the
/// pipeline's threads call it between decoding passes); postgres-nio is async.
/// Each call starts a task that *prefers* ``EventLoopTaskExecutor`` (the
/// store's own single event loop) and blocks the caller on a semaphore that the
/// task signals when done. Every piece of that task (its body, postgres-nio's
/// continuations, the connection pool's `run()`, started the same way) runs on
/// that event loop thread, never on Swift's cooperative pool, so a caller that
/// blocks a cooperative thread (an `async` command calling the store) cannot
/// starve the work it waits for. The one thread that must never call the store
/// is the store's event loop itself (a precondition checks it); nothing in the
/// project runs there.
///
/// Queries use postgres-nio's interpolation (`"… WHERE id = \(id)"` becomes a
/// bind parameter), never string concatenation of values. Rows are read as
/// `row_to_json(…)` text and decoded with the records' own `Codable`
/// conformance, so the column names live in one place (the record's `CodingKeys`).
public final class PostgresLibraryStore: LibraryStore {
    public let files: LibraryFiles
    public let location: PostgresLocation
    public var displayName: String { location.displayName }

    let client: PostgresClient
    let executor: EventLoopTaskExecutor
    private let group: MultiThreadedEventLoopGroup
    private let runTask: Task<Void, Never>
    let logger: Logger

    /// Connects (failing within the connect timeout with one line naming host,
    /// port and reason), checks the file store is writable, brings the schema up
    /// to date (refusing a newer one) and starts the connection pool.
    public static func open(_ location: PostgresLocation) throws(LibraryError) -> PostgresLibraryStore {
        let connectTimeout = TimeAmount.milliseconds(Int64(location.connectTimeout * 1000))
        let files = LibraryFiles(root: location.files)
        try files.prepare()
        try files.checkWritable()
        files.removeAbandonedTemporaryFiles(withoutMachine: false, untouchedFor: 3600)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = EventLoopTaskExecutor(group.next())
        let logger = Logger(label: "pixsim.library.postgres")
        do {
            try Self.blocking(on: executor, subject: location.displayName, describe: { Self.connectFailure(location, $0) }) {
                let connection = try await PostgresConnection.connect(
                    on: executor.eventLoop, configuration: try location.connectionConfiguration(connectTimeout: connectTimeout),
                    id: 1, logger: logger)
                do {
                    try await PostgresMigrator.migrate(connection, logger: logger, database: location.displayName)
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            }
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        let client: PostgresClient
        do {
            client = PostgresClient(configuration: try location.clientConfiguration(connectTimeout: connectTimeout),
                                    eventLoopGroup: group, backgroundLogger: logger)
        } catch {
            try? group.syncShutdownGracefully()
            throw LibraryError(subject: location.displayName, code: .database, message: "cannot set up TLS: \(error)")
        }
        let runTask = Task(executorPreference: executor) { await client.run() }
        return PostgresLibraryStore(location: location, files: files, client: client, executor: executor, group: group,
                                    runTask: runTask, logger: logger)
    }

    private init(location: PostgresLocation, files: LibraryFiles, client: PostgresClient, executor: EventLoopTaskExecutor,
                 group: MultiThreadedEventLoopGroup, runTask: Task<Void, Never>, logger: Logger) {
        self.location = location
        self.files = files
        self.client = client
        self.executor = executor
        self.group = group
        self.runTask = runTask
        self.logger = logger
    }

    deinit {
        // Closes the pool's connections. The event loop's thread is left to end with the process
        // (a store lives as long as its command; shutting the loop down under the cancelled
        // run() would drop its last jobs).
        runTask.cancel()
    }

    // MARK: Running queries

    /// Runs `body` on the store's event loop and waits for it (see the type's documentation for why this cannot deadlock).
    /// The server's current snapshot (`xmin:xmax:in-progress ids`): every transaction that writes takes
    /// a transaction id, which moves `xmax` when it starts and leaves the in-progress list when it ends,
    /// so the text changes with every write begun or committed, on a primary and on a replica alike.
    public func changeToken() throws(LibraryError) -> String? {
        try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(String.self, "SELECT pg_current_snapshot()::text", on: connection, logger: store.logger)
            }
        }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresLibraryStore) async throws -> T) throws(LibraryError) -> T {
        try Self.blocking(on: executor, subject: displayName, describe: { [location] in Self.queryFailure(location, $0) }) {
            try await body(self)
        }
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws(LibraryError) -> T {
        try run { store in
            try await store.client.withTransaction(logger: store.logger) { connection in try await body(connection) }
        }
    }

    static func blocking<T: Sendable>(on executor: EventLoopTaskExecutor, subject: String,
                                      describe: @escaping @Sendable (any Error) -> LibraryError,
                                      _ body: @escaping @Sendable () async throws -> T) throws(LibraryError) -> T {
        precondition(!executor.eventLoop.inEventLoop, "the PostgreSQL store must not be called from its own event loop")
        let outcome = NIOLockedValueBox<Result<T, LibraryError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            let result: Result<T, LibraryError>
            do { result = .success(try await body()) } catch let error as LibraryError { result = .failure(error) } catch {
                // A LibraryError thrown inside a transaction arrives wrapped.
                if let inner = (error as? PostgresTransactionError)?.closureError as? LibraryError {
                    result = .failure(inner)
                } else {
                    result = .failure(describe(error))
                }
            }
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLockedValue({ $0 }) else {
            throw LibraryError(subject: subject, code: .database, message: "the query task ended without a result")
        }
        return try result.get()
    }

    /// The records of `query`, which selects one column: `row_to_json(…)::text`.
    static func records<T: Decodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, on connection: PostgresConnection,
                                                 logger: Logger) async throws -> [T] {
        var result: [T] = []
        let decoder = RowDecoding.makeDecoder()
        for try await text in try await connection.query(query, logger: logger).decode(String.self) {
            result.append(try decoder.decode(T.self, from: Data(text.utf8)))
        }
        return result
    }

    func records<T: Decodable & Sendable>(_ type: T.Type, _ query: PostgresQuery) throws(LibraryError) -> [T] {
        try run { store in
            try await store.client.withConnection { connection in
                try await Self.records(T.self, query, on: connection, logger: store.logger)
            }
        }
    }

    func record<T: Decodable & Sendable>(_ type: T.Type, _ query: PostgresQuery) throws(LibraryError) -> T? {
        try records(type, query).first
    }

    /// One scalar of the first row, if any.
    static func scalar<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, on connection: PostgresConnection,
                                                        logger: Logger) async throws -> T? {
        for try await value in try await connection.query(query, logger: logger).decode(T.self) { return value }
        return nil
    }

    // MARK: Errors

    /// Why the first connection failed, in one line naming host and port (never the password).
    static func connectFailure(_ location: PostgresLocation, _ error: any Error) -> LibraryError {
        let subject = "\(location.host):\(location.port)"
        if let error = error as? PSQLError {
            if let server = error.serverInfo {
                let message = server[.message] ?? "refused"
                switch server[.sqlState] {
                case "28P01", "28000":
                    return LibraryError(subject: location.displayName, code: .database,
                                        message: "authentication failed: \(message)")
                case "3D000":
                    return LibraryError(subject: location.displayName, code: .database, message: "no such database: \(message)")
                default:
                    return LibraryError(subject: location.displayName, code: .database, message: message)
                }
            }
            if let underlying = error.underlying {
                return LibraryError(subject: subject, code: .database, message: "cannot connect to PostgreSQL: \(reason(underlying))")
            }
            return LibraryError(subject: subject, code: .database, message: "cannot connect to PostgreSQL: \(error.code)")
        }
        return LibraryError(subject: subject, code: .database, message: "cannot connect to PostgreSQL: \(reason(error))")
    }

    /// A socket-level reason in words (`connection refused`, `timed out`).
    static func reason(_ error: any Error) -> String {
        if let error = error as? ChannelError, case .connectTimeout(let amount) = error {
            return "no answer within \(amount.nanoseconds / 1_000_000_000) s (connect timeout)"
        }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return reason(first.error) }
            if let dns = error.dnsAAAAError ?? error.dnsAError { return "cannot resolve the host name (\(dns))" }
        }
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        return "\(error)"
    }

    /// A failed query, with the server's own message (never the URL's password).
    static func queryFailure(_ location: PostgresLocation, _ error: any Error) -> LibraryError {
        if let error = error as? PSQLError {
            if let server = error.serverInfo {
                return LibraryError(subject: location.displayName, code: .database,
                                    message: (server[.message] ?? "query failed") + (server[.sqlState].map { " (SQLSTATE \($0))" } ?? ""))
            }
            if let underlying = error.underlying {
                return LibraryError(subject: location.displayName, code: .database, message: "\(error.code): \(reason(underlying))")
            }
            return LibraryError(subject: location.displayName, code: .database, message: "\(error.code)")
        }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError as? LibraryError { return inner }
            return queryFailure(location, error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        }
        return LibraryError(subject: location.displayName, code: .database, message: "\(error)")
    }
}

extension PostgresLocation {
    /// A single connection's configuration (the first connection, which migrates).
    func connectionConfiguration(connectTimeout: TimeAmount) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requiresTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        configuration.options.connectTimeout = connectTimeout
        return configuration
    }
}
