import Foundation
import GRDB

/// Recognises a pixsim-media library before anything writes to it. Opening a
/// database the usual way switches it to WAL and creates `grdb_migrations`;
/// done to another application's SQLite file (a `--library` typo), that alters
/// a file we do not own. So an existing file is first read, read-only: it must
/// carry our application id, or our migrations table with our first migration
/// (libraries made before the id was set), or be empty.
enum LibraryIdentity {
    /// `PRAGMA application_id` of a library: "PXML" in ASCII.
    static let applicationID: Int32 = 0x5058_4D4C
    /// The first migration every library has run.
    static let firstMigration = "v1: generations and assets"

    /// - Throws: ``LibraryError`` `not_a_library` when `databasePath` exists and is not a library; nothing is written.
    static func check(_ databasePath: String) throws(LibraryError) {
        guard FileManager.default.fileExists(atPath: databasePath) else { return }
        func refuse(_ reason: String) -> LibraryError {
            LibraryError(subject: databasePath, code: .database,
                         message: "is not a pixsim-media library (\(reason)); refusing to open it, nothing was changed")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let recognised: Bool
        do {
            let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
            defer { try? queue.close() }
            recognised = try queue.read { db in
                if try Int32.fetchOne(db, sql: "PRAGMA application_id") == applicationID { return true }
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty { return true }
                guard tables.contains("grdb_migrations") else { return false }
                return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE identifier = ?)",
                                         arguments: [firstMigration]) ?? false
            }
        } catch {
            throw refuse("not a SQLite database this program can read: \(error)")
        }
        if !recognised { throw refuse("another application's SQLite database") }
    }
}
