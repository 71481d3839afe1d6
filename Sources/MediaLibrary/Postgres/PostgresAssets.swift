import Foundation
import PostgresNIO

extension PostgresLibraryStore {
    public func insertOrFetchAsset(_ asset: Asset) throws(LibraryError) -> (asset: Asset, inserted: Bool) {
        let candidate = files.storedForm(asset)
        let (stored, inserted) = try transaction { [logger = self.logger] connection in
            let c = candidate
            let select: PostgresQuery = "SELECT row_to_json(a)::text FROM assets a WHERE sha256 = \(c.sha256) FOR UPDATE"
            // Looking first keeps ids dense (a conflicting INSERT still uses up an identity value);
            // FOR UPDATE makes two processes fill the same row one after the other.
            var stored = try await PostgresLibraryStore.records(Asset.self, select, on: connection, logger: logger).first
            if stored == nil {
                let insertedID = try await PostgresLibraryStore.scalar(Int64.self, """
                    INSERT INTO assets (sha256, media_type, mime_type, local_path, original_path, remote_url, provider_id,
                        provider_asset_id, width, height, duration_sec, fps, frame_count, file_size_bytes, thumbnail_path,
                        sync_status, source_generation_id, media_metadata, created_at, last_accessed_at)
                    VALUES (\(c.sha256), \(c.mediaType), \(c.mimeType), \(c.localPath), \(c.originalPath), \(c.remoteURL),
                        \(c.providerID), \(c.providerAssetID), \(c.width), \(c.height), \(c.durationSec), \(c.fps), \(c.frameCount),
                        \(c.fileSizeBytes), \(c.thumbnailPath), \(c.syncStatus), \(c.sourceGenerationID), \(c.mediaMetadata),
                        \(c.createdAt), \(c.lastAccessedAt))
                    ON CONFLICT (sha256) DO NOTHING RETURNING id
                    """, on: connection, logger: logger)
                stored = try await PostgresLibraryStore.records(Asset.self, select, on: connection, logger: logger).first
                if insertedID != nil, let stored { return (stored, true) }
            }
            guard let stored else {
                throw LibraryError(subject: c.sha256, code: .database, message: "asset vanished after insert")
            }
            let merged = Asset.merge(stored: stored, candidate: c)
            try await connection.query("""
                UPDATE assets SET remote_url = \(merged.remoteURL), provider_id = \(merged.providerID),
                    provider_asset_id = \(merged.providerAssetID), original_path = \(merged.originalPath),
                    local_path = \(merged.localPath), sync_status = \(merged.syncStatus), last_accessed_at = \(merged.lastAccessedAt)
                WHERE id = \(merged.id)
                """, logger: logger)
            return (merged, false)
        }
        return (files.resolved(stored), inserted)
    }

    public func asset(id: Int64) throws(LibraryError) -> Asset? {
        try record(Asset.self, "SELECT row_to_json(a)::text FROM assets a WHERE id = \(id)").map(files.resolved)
    }

    public func asset(sha256: String) throws(LibraryError) -> Asset? {
        try record(Asset.self, "SELECT row_to_json(a)::text FROM assets a WHERE sha256 = \(sha256.lowercased())").map(files.resolved)
    }

    public func asset(remoteURL: String) throws(LibraryError) -> Asset? {
        try record(Asset.self, "SELECT row_to_json(a)::text FROM assets a WHERE remote_url = \(remoteURL) ORDER BY id LIMIT 1").map(files.resolved)
    }

    public func assets(sha256Prefix prefix: String, limit: Int) throws(LibraryError) -> [Asset] {
        // The prefix is hex digits only (checked by the caller), so it holds no LIKE wildcard.
        let pattern = prefix.filter(\.isHexDigit) + "%"
        return try records(Asset.self, "SELECT row_to_json(a)::text FROM assets a WHERE sha256 LIKE \(pattern) ORDER BY id LIMIT \(limit)").map(files.resolved)
    }

    public func assets(mediaType: String?, limit: Int?) throws(LibraryError) -> [Asset] {
        try records(Asset.self, """
            SELECT row_to_json(a)::text FROM assets a WHERE (\(mediaType)::text IS NULL OR media_type = \(mediaType))
            ORDER BY id DESC LIMIT \(limit)
            """).map(files.resolved)
    }

    public func audioMetadata(assetID: Int64) throws(LibraryError) -> AudioMetadata? {
        try record(AudioMetadata.self, "SELECT row_to_json(m)::text FROM asset_audio_metadata m WHERE asset_id = \(assetID)")
    }

    public func rememberRemoteURL(_ url: String, assetID: Int64) throws(LibraryError) {
        try run { (store) -> Void in
            _ = try await store.client.query("UPDATE assets SET remote_url = COALESCE(remote_url, \(url)) WHERE id = \(assetID)",
                                         logger: store.logger)
        }
    }

    public func setSyncStatus(_ status: Asset.SyncStatus, assetID: Int64) throws(LibraryError) {
        try run { (store) -> Void in
            _ = try await store.client.query("UPDATE assets SET sync_status = \(status.rawValue) WHERE id = \(assetID)", logger: store.logger)
        }
    }

    public func recordAccess(assetID: Int64) throws(LibraryError) {
        let now = Date()
        try run { (store) -> Void in
            _ = try await store.client.query("UPDATE assets SET last_accessed_at = \(now) WHERE id = \(assetID)", logger: store.logger)
        }
    }

    public func segments(assetID: Int64) throws(LibraryError) -> [AssetTemporalSegment] {
        try records(AssetTemporalSegment.self, """
            SELECT row_to_json(s)::text FROM asset_temporal_segments s WHERE asset_id = \(assetID) ORDER BY segment_index
            """)
    }

    /// Writes what the probe stage learnt (inside the caller's transaction).
    static func describe(_ connection: PostgresConnection, assetID: Int64, as d: AssetDescription, logger: Logger) async throws {
        try await connection.query("""
            UPDATE assets SET media_type = \(d.mediaType), mime_type = \(d.mimeType), width = \(d.width), height = \(d.height),
                duration_sec = \(d.durationSec), fps = \(d.fps), frame_count = \(d.frameCount), media_metadata = \(d.mediaMetadata)
            WHERE id = \(assetID)
            """, logger: logger)
        if let audio = d.audio {
            try await connection.query("""
                INSERT INTO asset_audio_metadata (asset_id, sample_rate, channels, bitrate, codec, extra)
                VALUES (\(assetID), \(audio.sampleRate), \(audio.channels), \(audio.bitrate), \(audio.codec), \(audio.extra))
                ON CONFLICT (asset_id) DO UPDATE SET sample_rate = EXCLUDED.sample_rate, channels = EXCLUDED.channels,
                    bitrate = EXCLUDED.bitrate, codec = EXCLUDED.codec, extra = EXCLUDED.extra
                """, logger: logger)
        } else {
            try await connection.query("DELETE FROM asset_audio_metadata WHERE asset_id = \(assetID)", logger: logger)
        }
    }

    /// Rows as one JSON array parameter, for `json_populate_recordset`: a stage's rows in one
    /// statement, not one round trip each (a long film has hundreds of segments). The keys are the
    /// records' own `CodingKeys`, which are the column names.
    static func jsonRows<Row: Encodable>(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        // Infinity or NaN in a measure is stored as PostgreSQL reads them, as it was when bound one by one.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }

    /// Replaces an asset's loops (inside the caller's transaction); `loop_index` is the rank in `loops`.
    static func replaceLoops(_ connection: PostgresConnection, assetID: Int64, with loops: [AssetLoop], logger: Logger) async throws {
        try await connection.query("DELETE FROM asset_loops WHERE asset_id = \(assetID)", logger: logger)
        guard !loops.isEmpty else { return }
        let ranked = loops.enumerated().map { index, loop in
            var row = loop
            row.loopIndex = index
            return row
        }
        try await connection.query("""
            INSERT INTO asset_loops (asset_id, loop_index, start_frame, end_frame, start_time, end_time, score, seam_psnr)
            SELECT \(assetID), loop_index, start_frame, end_frame, start_time, end_time, score, seam_psnr
            FROM json_populate_recordset(NULL::asset_loops, \(try jsonRows(ranked))::json)
            """, logger: logger)
    }

    public func loops(assetID: Int64) throws(LibraryError) -> [AssetLoop] {
        try records(AssetLoop.self, "SELECT row_to_json(l)::text FROM asset_loops l WHERE asset_id = \(assetID) ORDER BY loop_index")
    }

    /// Replaces an asset's segments and its opening hash (inside the caller's transaction).
    static func replaceSegments(_ connection: PostgresConnection, assetID: Int64, with segments: [AssetTemporalSegment],
                                logger: Logger) async throws {
        try await connection.query("DELETE FROM asset_temporal_segments WHERE asset_id = \(assetID)", logger: logger)
        if !segments.isEmpty {
            try await connection.query("""
                INSERT INTO asset_temporal_segments (asset_id, segment_index, segment_type, transition_in, timestamp_sec, end_sec,
                    frame_number, end_frame, thumbnail_path, brightness, dominant_colors, camera_motion, motion_magnitude,
                    start_hash, end_hash, transition_frames)
                SELECT \(assetID), segment_index, segment_type, transition_in, timestamp_sec, end_sec,
                    frame_number, end_frame, thumbnail_path, brightness, dominant_colors, camera_motion, motion_magnitude,
                    start_hash, end_hash, transition_frames
                FROM json_populate_recordset(NULL::asset_temporal_segments, \(try jsonRows(segments))::json)
                """, logger: logger)
        }
        if let hash = HashBands.openingHash(of: segments) {
            let bands = HashBands.bands(of: hash)
            try await connection.query("""
                INSERT INTO asset_opening_hashes (asset_id, start_hash, band0, band1, band2, band3)
                VALUES (\(assetID), \(HashBands.stored(hash)), \(bands[0]), \(bands[1]), \(bands[2]), \(bands[3]))
                ON CONFLICT (asset_id) DO UPDATE SET start_hash = EXCLUDED.start_hash, band0 = EXCLUDED.band0,
                    band1 = EXCLUDED.band1, band2 = EXCLUDED.band2, band3 = EXCLUDED.band3
                """, logger: logger)
        } else {
            try await connection.query("DELETE FROM asset_opening_hashes WHERE asset_id = \(assetID)", logger: logger)
        }
    }

    public func closingHash(of assetID: Int64) throws(LibraryError) -> UInt64? {
        let text = try run { store in
            try await store.client.withConnection { connection in
                try await PostgresLibraryStore.scalar(String?.self, """
                    SELECT end_hash FROM asset_temporal_segments WHERE asset_id = \(assetID) ORDER BY segment_index DESC LIMIT 1
                    """, on: connection, logger: store.logger)
            }
        }
        return text.flatMap { $0 }.flatMap { UInt64($0, radix: 16) }
    }

    public func openingHashes(matching probes: HashBands.Probes?, excluding assetID: Int64) throws(LibraryError) -> [(assetID: Int64, hash: UInt64)] {
        let query: PostgresQuery
        if let probes {
            // `= ANY(array)` per band, OR-ed: a bitmap OR of the four band indexes.
            query = """
                SELECT asset_id, start_hash FROM asset_opening_hashes
                WHERE asset_id <> \(assetID) AND (band0 = ANY(\(probes.values[0])) OR band1 = ANY(\(probes.values[1]))
                    OR band2 = ANY(\(probes.values[2])) OR band3 = ANY(\(probes.values[3])))
                """
        } else {
            query = "SELECT asset_id, start_hash FROM asset_opening_hashes WHERE asset_id <> \(assetID)"
        }
        let rows = try run { store in
            var rows: [HashRow] = []
            for try await (id, hash) in try await store.client.query(query, logger: store.logger).decode((Int64, Int64).self) {
                rows.append(HashRow(assetID: id, hash: UInt64(bitPattern: hash)))
            }
            return rows
        }
        return rows.map { (assetID: $0.assetID, hash: $0.hash) }
    }

    struct HashRow: Sendable {
        var assetID: Int64
        var hash: UInt64
    }
}
