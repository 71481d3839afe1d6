import Foundation
import PostgresNIO

extension PostgresLibraryStore {
    public func assets(matching query: AssetQuery) throws(LibraryError) -> [Asset] {
        // One statement whatever the filters: a filter left out binds NULL and its condition holds.
        // The scan is the primary key's, newest first, stopped after `limit` rows.
        let pattern = query.searchPattern
        let prefix = query.sha256Prefix.map { $0 + "%" }
        return try records(Asset.self, """
            SELECT row_to_json(a)::text FROM assets a
            WHERE (\(query.beforeID)::bigint IS NULL OR a.id < \(query.beforeID))
              AND (\(query.mediaType)::text IS NULL OR a.media_type = \(query.mediaType))
              AND (\(query.providerID)::text IS NULL OR a.provider_id = \(query.providerID))
              AND (\(query.operationType)::text IS NULL OR EXISTS (
                    SELECT 1 FROM asset_lineage l WHERE l.child_asset_id = a.id AND l.operation_type = \(query.operationType)))
              AND (\(pattern)::text IS NULL OR a.original_path ILIKE \(pattern) ESCAPE '\\' OR a.remote_url ILIKE \(pattern) ESCAPE '\\'
                   OR (\(prefix)::text IS NOT NULL AND a.sha256 LIKE \(prefix)))
            ORDER BY a.id DESC LIMIT \(max(0, query.limit))
            """).map(files.resolved)
    }

    public func assetFacets() throws(LibraryError) -> AssetFacets {
        let providers = try records(String.self, """
            SELECT to_json(p)::text FROM (SELECT DISTINCT provider_id FROM assets WHERE provider_id IS NOT NULL
                ORDER BY provider_id LIMIT 200) d(p)
            """)
        let operations = try records(String.self, """
            SELECT to_json(o)::text FROM (SELECT DISTINCT operation_type FROM asset_lineage ORDER BY operation_type LIMIT 200) d(o)
            """)
        return AssetFacets(providers: providers, operations: operations)
    }
}
