import Foundation
import Logging
import PostgresNIO

/// Applies named migrations to a PostgreSQL library: each identifier once, in
/// order, recorded in `pixsim_schema_migrations`, all under one transaction
/// holding `pg_advisory_xact_lock`, so that workers starting together on many
/// hosts migrate once and the others wait, then find nothing to do.
///
/// The queue's stand-in until the store's own PostgreSQL migrator is on `main`
/// (same table, same lock key): then ``JobQueueMigrations/all`` joins its list
/// and this type goes.
public enum PostgresSchemaMigrations {
    /// The advisory lock every pixsim-media migrator takes (an arbitrary constant: "pixsim" in ASCII).
    public static let advisoryLockKey: Int64 = 0x7069_7873_696d

    /// Applies the migrations `migrations` that are not recorded yet; returns the identifiers applied.
    @discardableResult
    public static func migrate(_ client: PostgresClient, migrations: [(identifier: String, sql: String)],
                               logger: Logger) async throws -> [String] {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS pixsim_schema_migrations (
                    identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await identifier in try await connection.query(
                "SELECT identifier FROM pixsim_schema_migrations", logger: logger).decode(String.self) {
                applied.insert(identifier)
            }
            var done: [String] = []
            for migration in migrations where !applied.contains(migration.identifier) {
                for statement in statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO pixsim_schema_migrations (identifier, applied_at) VALUES (\(migration.identifier), now())",
                    logger: logger)
                done.append(migration.identifier)
            }
            return done
        }
    }

    /// The statements of a migration, which end with `;` at the end of a line: the extended query
    /// protocol that postgres-nio speaks takes one statement per query.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { text in text.split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") && !$0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }
}
