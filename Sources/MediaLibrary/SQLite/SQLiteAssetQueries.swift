import GRDB

extension SQLiteLibraryStore {
    public func assets(matching query: AssetQuery) throws(LibraryError) -> [Asset] {
        try read { db in
            // Every condition narrows a scan of the primary key (or of the media type index, whose
            // entries are in rowid order too) taken newest first: no sort, and it stops after `limit` rows.
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let before = query.beforeID {
                conditions.append("id < ?")
                arguments += [before]
            }
            if let type = query.mediaType {
                conditions.append("media_type = ?")
                arguments += [type]
            }
            if let provider = query.providerID {
                conditions.append("provider_id = ?")
                arguments += [provider]
            }
            if let operation = query.operationType {
                conditions.append("EXISTS (SELECT 1 FROM asset_lineage l WHERE l.child_asset_id = assets.id AND l.operation_type = ?)")
                arguments += [operation]
            }
            if let pattern = query.searchPattern {
                var alternatives = ["original_path LIKE ? ESCAPE '\\'", "remote_url LIKE ? ESCAPE '\\'"]
                arguments += [pattern, pattern]
                if let prefix = query.sha256Prefix {
                    alternatives.append("substr(sha256, 1, ?) = ?")
                    arguments += [prefix.count, prefix]
                }
                conditions.append("(" + alternatives.joined(separator: " OR ") + ")")
            }
            var sql = "SELECT * FROM assets"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [max(0, query.limit)]
            return try Asset.fetchAll(db, sql: sql, arguments: arguments)
        }.map(files.resolved)
    }

    public func assetFacets() throws(LibraryError) -> AssetFacets {
        try read { db in
            AssetFacets(
                providers: try String.fetchAll(db, sql: """
                    SELECT DISTINCT provider_id FROM assets WHERE provider_id IS NOT NULL ORDER BY provider_id LIMIT 200
                    """),
                operations: try String.fetchAll(db, sql: "SELECT DISTINCT operation_type FROM asset_lineage ORDER BY operation_type LIMIT 200"))
        }
    }
}
