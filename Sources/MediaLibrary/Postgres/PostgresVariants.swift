import Foundation
import PostgresNIO

/// Renditions of assets (`asset_variants`) and their lineage edges.
extension PostgresLibraryStore {
    public func variant(assetID: Int64, variantType: String, parametersKey: String) throws(LibraryError) -> AssetVariant? {
        try record(AssetVariant.self, """
            SELECT row_to_json(v)::text FROM asset_variants v
            WHERE asset_id = \(assetID) AND variant_type = \(variantType) AND parameters_key = \(parametersKey)
            """)
    }

    public func variants(ofAsset assetID: Int64) throws(LibraryError) -> [AssetVariant] {
        try records(AssetVariant.self, "SELECT row_to_json(v)::text FROM asset_variants v WHERE asset_id = \(assetID) ORDER BY id")
    }

    public func recordVariant(_ variant: AssetVariant, transformation: String?) throws(LibraryError) -> (variant: AssetVariant, inserted: Bool) {
        var row = variant
        row.path = files.storedForm(variant.path)
        let v = row
        return try transaction { [logger = self.logger] connection in
            // ON CONFLICT on the (asset, type, parameters) key: a rendition made already returns no id.
            let id = try await PostgresLibraryStore.scalar(Int64.self, """
                INSERT INTO asset_variants (asset_id, variant_asset_id, variant_type, parameters_key, path, width, height, codec,
                    bit_rate, metadata, created_at)
                VALUES (\(v.assetID), \(v.variantAssetID), \(v.variantType), \(v.parametersKey), \(v.path), \(Int64(v.width)),
                    \(Int64(v.height)), \(v.codec), \(v.bitRate), \(v.metadata), \(v.createdAt))
                ON CONFLICT (asset_id, variant_type, parameters_key) DO NOTHING
                RETURNING id
                """, on: connection, logger: logger)
            guard let id else {
                guard let found = try await PostgresLibraryStore.records(AssetVariant.self, """
                    SELECT row_to_json(v)::text FROM asset_variants v
                    WHERE asset_id = \(v.assetID) AND variant_type = \(v.variantType) AND parameters_key = \(v.parametersKey)
                    """, on: connection, logger: logger).first else {
                    throw LibraryError(subject: "asset \(v.assetID)", code: .database, message: "variant row vanished after a conflict")
                }
                return (found, false)
            }
            if v.variantAssetID != v.assetID {
                try await PostgresLibraryStore.addLineageEdge(connection, v.lineageEdge(transformation: transformation), logger: logger)
            }
            var inserted = v
            inserted.id = id
            return (inserted, true)
        }
    }
}
