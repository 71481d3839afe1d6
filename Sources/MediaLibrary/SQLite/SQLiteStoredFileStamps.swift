import Foundation
import GRDB

/// When a stored file was last checked against its hash, and what its size
/// and modification time were then (`asset_file_stamps`). The cheap check
/// before a stored file is used: the same size and time as when its hash was
/// last confirmed means the same bytes; anything else means hashing again.
extension SQLiteLibraryStore {
    /// The size and modification time (nanoseconds since 1970) recorded when the asset's file last matched its hash.
    public func storedFileStamp(assetID: Int64) throws(LibraryError) -> (size: Int64, modifiedNanoseconds: Int64)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, modified_ns FROM asset_file_stamps WHERE asset_id = ?",
                                             arguments: [assetID]) else { return nil }
            return (row["size"], row["modified_ns"])
        }
    }

    /// Records that the asset's file matched its hash with this size and modification time.
    public func recordStoredFileStamp(assetID: Int64, size: Int64, modifiedNanoseconds: Int64) throws(LibraryError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO asset_file_stamps (asset_id, size, modified_ns, verified_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(asset_id) DO UPDATE SET size = excluded.size, modified_ns = excluded.modified_ns, verified_at = excluded.verified_at
                """, arguments: [assetID, size, modifiedNanoseconds, Date()])
        }
    }
}
