import Foundation
import GRDB

/// Recognises a pixsim-media library before anything writes to it. Opening a
/// database the usual way switches it to WAL and creates `grdb_migrations`;
/// done to another application's SQLite file (a `--library` typo), that alters
/// a file we do not own. So an existing file is first read, read-only: it must
/// carry our application id, or our migrations table (libraries made before
/// the id was set), or be empty.
enum LibraryIdentity {
    /// `PRAGMA application_id` of a library: "PXML" in ASCII.
    static let applicationID: Int32 = 0x5058_4D4C

    /// - Throws: ``LibraryError`` `not_a_library` when `databasePath` exists and is not a library; nothing is written.
    /// - Parameter busyTimeout: how long the read waits for another process's write (a library in use is busy, not foreign).
    static func check(_ databasePath: String, busyTimeout: TimeInterval = 30) throws(LibraryError) {
        guard FileManager.default.fileExists(atPath: databasePath) else { return }
        func refuse(_ reason: String) -> LibraryError {
            LibraryError(subject: databasePath, code: .database,
                         message: "is not a pixsim-media library (\(reason)); refusing to open it, nothing was changed")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        let recognised: Bool
        do {
            let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
            defer { try? queue.close() }
            recognised = try queue.read { db in
                if try Int32.fetchOne(db, sql: "PRAGMA application_id") == applicationID { return true }
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty { return true }
                // A library killed while it was being created may show its migrations table before (or
                // without) its rows to a read-only reader that cannot replay the write-ahead log: the table is
                // enough; another application has no `grdb_migrations`.
                return tables.contains("grdb_migrations")
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw refuse("not a SQLite database: \(error.message ?? "\(error)")")
        } catch {
            // Busy, or a log only a writer can recover: not evidence of a foreign file. The normal open
            // (under the same folder lock) recovers it or reports its own error.
            return
        }
        if !recognised { throw refuse("another application's SQLite database") }
    }
}
