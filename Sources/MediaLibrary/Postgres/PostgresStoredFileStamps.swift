import Foundation
import PostgresNIO

/// `asset_file_stamps` on PostgreSQL: see ``SQLiteLibraryStore/storedFileStamp(assetID:)`` for what a stamp means.
extension PostgresLibraryStore {
    public func storedFileStamp(assetID: Int64) throws(LibraryError) -> (size: Int64, modifiedNanoseconds: Int64)? {
        let stamp = try run { store in
            try await store.client.withConnection { connection -> FileStamp? in
                let rows = try await connection.query(
                    "SELECT size, modified_ns FROM asset_file_stamps WHERE asset_id = \(assetID)", logger: store.logger)
                for try await (size, modified) in rows.decode((Int64, Int64).self) { return FileStamp(size: size, modified: modified) }
                return nil
            }
        }
        return stamp.map { (size: $0.size, modifiedNanoseconds: $0.modified) }
    }

    public func recordStoredFileStamp(assetID: Int64, size: Int64, modifiedNanoseconds: Int64) throws(LibraryError) {
        let now = Date()
        try run { (store) -> Void in
            _ = try await store.client.query("""
                INSERT INTO asset_file_stamps (asset_id, size, modified_ns, verified_at)
                VALUES (\(assetID), \(size), \(modifiedNanoseconds), \(now))
                ON CONFLICT (asset_id) DO UPDATE SET size = excluded.size, modified_ns = excluded.modified_ns,
                    verified_at = excluded.verified_at
                """, logger: store.logger)
        }
    }

    /// A stamp as it crosses from the store's event loop to the caller.
    struct FileStamp: Sendable {
        var size: Int64
        var modified: Int64
    }
}
