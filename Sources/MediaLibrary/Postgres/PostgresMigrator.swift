import Logging
import PostgresNIO

/// Applies ``PostgresMigrations/all`` to a database, once, however many
/// workers start at the same moment.
enum PostgresMigrator {
    /// In one transaction holding `pg_advisory_xact_lock`: creates
    /// `pixsim_schema_migrations` if missing, refuses a database that recorded a
    /// migration this binary does not know (never migrating down), and applies
    /// and records each missing migration in order. A second worker waits on the
    /// lock, then finds everything applied.
    static func migrate(_ connection: PostgresConnection, logger: Logger, database: String) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresMigrations.advisoryLockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS pixsim_schema_migrations (identifier TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await identifier in try await connection.query(
                "SELECT identifier FROM pixsim_schema_migrations", logger: logger).decode(String.self) {
                applied.insert(identifier)
            }
            let known = Set(PostgresMigrations.all.map(\.identifier))
            if let unknown = applied.subtracting(known).sorted().first {
                throw LibraryError(subject: database, code: .database, message:
                    "the library's schema is newer than this pixsim-media (it has migration '\(unknown)', unknown here); use a newer pixsim-media")
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.identifier) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO pixsim_schema_migrations (identifier, applied_at) VALUES (\(migration.identifier), now())",
                    logger: logger)
            }
        }
    }
}
