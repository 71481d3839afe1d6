import GRDB

extension SQLiteLibraryStore {
    public func closingHash(of assetID: Int64) throws(LibraryError) -> UInt64? {
        let text = try read { db in
            try String.fetchOne(db, sql: """
                SELECT end_hash FROM asset_temporal_segments WHERE asset_id = ? ORDER BY segment_index DESC LIMIT 1
                """, arguments: [assetID])
        }
        return text.flatMap { UInt64($0, radix: 16) }
    }

    public func openingHashes(matching probes: HashBands.Probes?, excluding assetID: Int64) throws(LibraryError) -> [(assetID: Int64, hash: UInt64)] {
        try read { db in
            var sql = "SELECT asset_id, start_hash FROM asset_opening_hashes WHERE asset_id <> ?"
            var arguments: StatementArguments = [assetID]
            if let probes {
                // One IN list per band column, OR-ed: SQLite answers each from its band index.
                let clauses = probes.values.enumerated().map { band, values in
                    "band\(band) IN (\(values.map { _ in "?" }.joined(separator: ",")))"
                }
                sql += " AND (" + clauses.joined(separator: " OR ") + ")"
                for values in probes.values { arguments += StatementArguments(values) }
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                (assetID: row[0] as Int64, hash: UInt64(bitPattern: row[1] as Int64))
            }
        }
    }

    /// Keeps the asset's row in `asset_opening_hashes` in step with its segments (inside the caller's transaction).
    static func replaceOpeningHash(_ db: Database, assetID: Int64, segments: [AssetTemporalSegment]) throws {
        try db.execute(sql: "DELETE FROM asset_opening_hashes WHERE asset_id = ?", arguments: [assetID])
        guard let hash = HashBands.openingHash(of: segments) else { return }
        let bands = HashBands.bands(of: hash)
        try db.execute(sql: """
            INSERT INTO asset_opening_hashes (asset_id, start_hash, band0, band1, band2, band3) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [assetID, HashBands.stored(hash), bands[0], bands[1], bands[2], bands[3]])
    }
}
