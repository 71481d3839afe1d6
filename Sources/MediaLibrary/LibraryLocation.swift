import Foundation
import PostgresNIO

/// Where a library lives: a folder (SQLite, the embedded default) or a
/// PostgreSQL database with a file store that every worker mounts (SPEC section 7).
///
/// ```swift
/// let here = try LibraryLocation.parse("./pixsim-library")
/// let shared = try LibraryLocation.parse("postgres://media:secret@db.internal:5432/media?files=/mnt/media")
/// ```
public enum LibraryLocation: Sendable, Equatable {
    /// `library.sqlite` and `files/` in one folder.
    case folder(URL)
    /// Tables in PostgreSQL; files in a shared folder.
    case postgres(PostgresLocation)

    /// Reads `--library` (or `$PIXSIM_MEDIA_LIBRARY`): a `postgres://` or `postgresql://` URL, else a folder path.
    /// - Parameters:
    ///   - text: the folder or the URL.
    ///   - files: `--files`, the file store of a PostgreSQL library (wins over the URL's `?files=`).
    /// - Throws: ``LibraryError`` `invalid_argument` for a malformed URL or a PostgreSQL library without a file store.
    public static func parse(_ text: String, files: String? = nil) throws(LibraryError) -> LibraryLocation {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") else {
            if files != nil {
                throw LibraryError(subject: "--files", code: .invalidArgument,
                                   message: "a folder library keeps its files inside it; --files goes with a postgres:// library")
            }
            return .folder(URL(fileURLWithPath: text))
        }
        return .postgres(try PostgresLocation(url: text, files: files))
    }
}

/// A PostgreSQL library: how to reach the database, and the file store.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The shared folder holding the content files; stored paths are relative to it.
    public var files: URL
    /// `sslmode=require` (or `verify-full`) in the URL; plain TCP otherwise (`disable`, `prefer` on loopback).
    public var requiresTLS: Bool
    /// Seconds a connection may take to be made: `connect_timeout` in the URL, as libpq reads it (default 10).
    public var connectTimeout: Double

    /// The database named for people: `host:port/database`, never the password.
    public var displayName: String { "\(host):\(port)/\(database)" }

    /// - Throws: ``LibraryError`` `invalid_argument` naming what is wrong with the URL (the password is never echoed).
    public init(url text: String, files: String? = nil) throws(LibraryError) {
        let subject = Self.redacted(text)
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw LibraryError(subject: subject, code: .invalidArgument,
                               message: "not a PostgreSQL URL (postgres://user:password@host:port/database?files=DIR)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw LibraryError(subject: subject, code: .invalidArgument, message: "the URL names no database (…/database)")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        guard let filesPath = files ?? query["files"], !filesPath.isEmpty else {
            throw LibraryError(subject: subject, code: .invalidArgument,
                               message: "a PostgreSQL library needs its file store: --files DIR or ?files=DIR in the URL")
        }
        self.host = components.percentEncodedHost.map { $0.removingPercentEncoding ?? $0 } ?? host
        port = components.port ?? 5432
        username = components.user ?? "postgres"
        password = components.password
        self.database = database.removingPercentEncoding ?? database
        self.files = URL(fileURLWithPath: filesPath)
        let sslMode = query["sslmode"]?.lowercased() ?? "prefer"
        requiresTLS = sslMode == "require" || sslMode == "verify-ca" || sslMode == "verify-full"
        if let text = query["connect_timeout"] {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                throw LibraryError(subject: subject, code: .invalidArgument, message: "connect_timeout must be a number of seconds (1-3600)")
            }
            connectTimeout = seconds
        } else {
            connectTimeout = 10
        }
    }

    /// The client configuration for postgres-nio, with a connect timeout so an unreachable host fails in seconds.
    public func clientConfiguration(connectTimeout: TimeAmount = .seconds(5)) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requiresTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.connectTimeout = .nanoseconds(connectTimeout.nanoseconds)
        return configuration
    }

    /// The URL with its password replaced by `***`, for messages.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
