import Foundation

/// Opens the library a ``LibraryLocation`` names, with the engine it needs.
public enum LibraryStores {
    /// A folder opens the SQLite engine, a `postgres://` URL the PostgreSQL one.
    /// - Throws: ``LibraryError`` with one line naming what failed (the folder,
    ///   or the server's host and port, never a password).
    public static func open(_ location: LibraryLocation) throws(LibraryError) -> any LibraryStore {
        switch location {
        case .folder(let folder): return try SQLiteLibraryStore.open(folder: folder)
        case .postgres(let postgres): return try PostgresLibraryStore.open(postgres)
        }
    }
}
