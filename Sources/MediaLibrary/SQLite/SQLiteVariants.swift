import Foundation
import GRDB

/// Renditions of assets (`asset_variants`) and their lineage edges.
extension SQLiteLibraryStore {
    public func variant(assetID: Int64, variantType: String, parametersKey: String) throws(LibraryError) -> AssetVariant? {
        try read { db in
            try AssetVariant.filter(AssetVariant.Columns.assetID == assetID && AssetVariant.Columns.variantType == variantType
                                    && AssetVariant.Columns.parametersKey == parametersKey).fetchOne(db)
        }
    }

    public func variants(ofAsset assetID: Int64) throws(LibraryError) -> [AssetVariant] {
        try read { db in
            try AssetVariant.filter(AssetVariant.Columns.assetID == assetID).order(Column("id")).fetchAll(db)
        }
    }

    public func recordVariant(_ variant: AssetVariant, transformation: String?) throws(LibraryError) -> (variant: AssetVariant, inserted: Bool) {
        let row = variant
        let stored = files.storedForm(variant.path)
        return try write { db in
            let existing = AssetVariant.filter(AssetVariant.Columns.assetID == row.assetID
                                               && AssetVariant.Columns.variantType == row.variantType
                                               && AssetVariant.Columns.parametersKey == row.parametersKey)
            if let found = try existing.fetchOne(db) { return (found, false) }
            var inserted = row
            inserted.id = nil
            inserted.path = stored
            try inserted.insert(db)
            if row.variantAssetID != row.assetID {
                try Self.addLineageEdge(db, row.lineageEdge(transformation: transformation))
            }
            return (inserted, true)
        }
    }
}
