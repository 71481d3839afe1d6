import GRDB

/// The SQLite schema of SPEC section 5, built by named migrations (their
/// PostgreSQL twins are in ``PostgresMigrations``: a new migration here needs one there).
///
/// Table and column names follow the backend's own models so that it can read
/// the file directly. Migrations use string names, never record types, so a
/// later change to a Swift type cannot change what an old migration did; once
/// shipped, a migration is never edited, only followed by a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1: generations and assets") { db in
            try db.create(table: "generations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("provider_id", .text).notNull()
                t.column("provider_job_id", .text)
                t.column("operation_type", .text).notNull()
                t.column("prompt", .text)
                t.column("params", .jsonText)
                // No foreign key: the asset row refers back to its generation, and either may come first.
                t.column("result_asset_id", .integer)
                t.column("submitted_at", .datetime)
                t.column("completed_at", .datetime)
                t.column("created_at", .datetime).notNull()
            }
            // The same provider job handed over twice (a watch restart) is one generation.
            try db.create(index: "generations_on_provider_job", on: "generations",
                          columns: ["provider_id", "provider_job_id"], unique: true)

            try db.create(table: "assets") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sha256", .text).notNull().unique()
                t.column("media_type", .text).notNull()
                t.column("mime_type", .text)
                t.column("local_path", .text)
                t.column("original_path", .text)
                t.column("remote_url", .text)
                t.column("provider_id", .text)
                t.column("provider_asset_id", .text)
                t.column("width", .integer)
                t.column("height", .integer)
                t.column("duration_sec", .double)
                t.column("fps", .double)
                t.column("frame_count", .integer)
                t.column("file_size_bytes", .integer).notNull()
                t.column("thumbnail_path", .text)
                t.column("sync_status", .text).notNull()
                t.column("source_generation_id", .integer).references("generations", onDelete: .setNull)
                t.column("media_metadata", .jsonText)
                t.column("created_at", .datetime).notNull()
                t.column("last_accessed_at", .datetime)
            }
            try db.create(index: "assets_on_media_type", on: "assets", columns: ["media_type"])
            try db.create(index: "assets_on_source_generation", on: "assets", columns: ["source_generation_id"])

            try db.create(table: "asset_audio_metadata") { t in
                t.primaryKey("asset_id", .integer).references("assets", onDelete: .cascade)
                t.column("sample_rate", .integer)
                t.column("channels", .integer)
                t.column("bitrate", .integer)
                t.column("codec", .text)
                t.column("extra", .jsonText)
            }
        }

        migrator.registerMigration("v1: temporal segments") { db in
            try db.create(table: "asset_temporal_segments") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("segment_index", .integer).notNull()
                t.column("segment_type", .text).notNull()
                t.column("transition_in", .text)
                t.column("timestamp_sec", .double).notNull()
                t.column("end_sec", .double).notNull()
                t.column("frame_number", .integer).notNull()
                t.column("end_frame", .integer).notNull()
                t.column("thumbnail_path", .text)
                t.column("brightness", .double)
                t.column("dominant_colors", .jsonText)
                t.column("camera_motion", .text)
                t.column("motion_magnitude", .double)
                t.column("start_hash", .text)
                t.column("end_hash", .text)
                t.uniqueKey(["asset_id", "segment_index"])
            }
        }

        migrator.registerMigration("v1: lineage") { db in
            try db.create(table: "asset_lineage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("child_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("parent_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("parent_role", .text).notNull()
                t.column("operation_type", .text).notNull()
                t.column("operation_job_id", .text)
                t.column("parent_start_time", .double)
                t.column("parent_end_time", .double)
                t.column("parent_frame", .integer)
                t.column("transformation", .jsonText)
                t.column("sequence_order", .integer).notNull().defaults(to: 0)
                t.column("created_at", .datetime).notNull()
                t.check(sql: "child_asset_id <> parent_asset_id")
                // Recording the same derivation twice (a rerun) adds no edge.
                t.uniqueKey(["child_asset_id", "parent_asset_id", "parent_role", "sequence_order"])
            }
            try db.create(index: "asset_lineage_on_parent", on: "asset_lineage", columns: ["parent_asset_id"])
        }

        migrator.registerMigration("v1: branches and clips") { db in
            try db.create(table: "asset_branches") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("branch_time", .double).notNull()
                t.column("branch_frame", .integer)
                t.column("branch_name", .text).notNull()
                t.column("branch_tag", .text)
                t.column("branch_type", .text).notNull().defaults(to: "choice")
                t.column("game_metadata", .jsonText)
                t.column("created_at", .datetime).notNull()
            }
            try db.create(index: "asset_branches_on_source", on: "asset_branches", columns: ["source_asset_id"])

            try db.create(table: "asset_branch_variants") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("branch_id", .integer).notNull().references("asset_branches", onDelete: .cascade)
                t.column("variant_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("variant_name", .text).notNull()
                t.column("variant_tag", .text)
                t.column("weight", .double)
                t.column("conditions", .jsonText)
                t.column("rendered_asset_id", .integer).references("assets", onDelete: .setNull)
                t.column("created_at", .datetime).notNull()
            }
            // `branch render --variant TAG` must name one variant (NULL tags do not collide in SQLite).
            try db.create(index: "asset_branch_variants_on_tag", on: "asset_branch_variants",
                          columns: ["branch_id", "variant_tag"], unique: true)

            try db.create(table: "asset_clips") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("start_time", .double).notNull()
                t.column("end_time", .double).notNull()
                t.column("clip_name", .text)
                t.column("clip_tag", .text)
                t.column("extracted_asset_id", .integer).references("assets", onDelete: .setNull)
                t.column("playback_metadata", .jsonText)
                t.column("created_at", .datetime).notNull()
                t.check(sql: "end_time > start_time AND start_time >= 0")
            }
            try db.create(index: "asset_clips_on_source", on: "asset_clips", columns: ["source_asset_id"])
        }

        migrator.registerMigration("v1: pipeline runs") { db in
            try db.create(table: "pipeline_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("asset_id", .integer).references("assets", onDelete: .setNull)
                t.column("stages", .text).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("process_id", .integer).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("duration_sec", .double)
            }
            try db.create(index: "pipeline_runs_on_source", on: "pipeline_runs", columns: ["source"])
            try db.create(index: "pipeline_runs_on_status", on: "pipeline_runs", columns: ["status"])

            try db.create(table: "stage_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("pipeline_run_id", .integer).notNull().references("pipeline_runs", onDelete: .cascade)
                t.column("asset_id", .integer).references("assets", onDelete: .cascade)
                t.column("stage", .text).notNull()
                t.column("stage_version", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("result", .jsonText)
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("duration_sec", .double)
            }
            try db.create(index: "stage_runs_on_asset_stage", on: "stage_runs", columns: ["asset_id", "stage", "stage_version"])
            // At most one completed run per asset, stage and stage version: what makes reruns idempotent
            // even when two processes finish the same stage at once.
            try db.execute(sql: """
                CREATE UNIQUE INDEX stage_runs_one_completion
                ON stage_runs(asset_id, stage, stage_version)
                WHERE status IN ('succeeded', 'not_applicable')
                """)
        }
        // Issue 15 item 8: the file says it is a library, so a later open can tell it from another application's database.
        migrator.registerMigration("v2: application id") { db in
            try db.execute(sql: "PRAGMA application_id = \(LibraryIdentity.applicationID)")
        }

        // Issue 15 item 7: one asset (the same bytes) may be the result of several generations;
        // `assets.source_generation_id` keeps the first, this table keeps them all.
        migrator.registerMigration("v2: asset generations") { db in
            try db.create(table: "asset_generations") { t in
                t.column("asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("generation_id", .integer).notNull().references("generations", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.primaryKey(["asset_id", "generation_id"])
            }
            try db.create(index: "asset_generations_on_generation", on: "asset_generations", columns: ["generation_id"])
            try db.execute(sql: """
                INSERT INTO asset_generations (asset_id, generation_id, created_at)
                SELECT id, source_generation_id, created_at FROM assets WHERE source_generation_id IS NOT NULL
                """)
        }
        // Issue 15 item 6: a failure is remembered with the content that failed, so the same path
        // with other bytes (the complete file after a half-written one) is tried again.
        migrator.registerMigration("v2: pipeline run source content") { db in
            try db.alter(table: "pipeline_runs") { t in t.add(column: "source_sha256", .text) }
        }
        // Issue 15 item 5: a stored file is checked against its hash before it is used; the
        // stamp (size, modification time) of its last good check makes the usual case cheap.
        migrator.registerMigration("v2: asset file stamps") { db in
            try db.create(table: "asset_file_stamps") { t in
                t.primaryKey("asset_id", .integer).references("assets", onDelete: .cascade)
                t.column("size", .integer).notNull()
                t.column("modified_ns", .integer).notNull()
                t.column("verified_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2: segment transition frames") { db in
            try db.alter(table: "asset_temporal_segments") { t in
                t.add(column: "transition_frames", .jsonText)
            }
        }

        // `match` over a million assets: the opening hash as a 64-bit integer and
        // its four 16-bit bands, each indexed (see HashBands), backfilled from the segments.
        migrator.registerMigration("v2: opening hash bands") { db in
            try db.execute(sql: """
                CREATE TABLE asset_opening_hashes (
                    asset_id INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,
                    start_hash INTEGER NOT NULL,
                    band0 INTEGER NOT NULL, band1 INTEGER NOT NULL, band2 INTEGER NOT NULL, band3 INTEGER NOT NULL)
                """)
            for band in 0..<HashBands.count {
                try db.execute(sql: "CREATE INDEX asset_opening_hashes_on_band\(band) ON asset_opening_hashes(band\(band))")
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.asset_id, s.start_hash FROM asset_temporal_segments s
                WHERE s.segment_index = (SELECT MIN(segment_index) FROM asset_temporal_segments WHERE asset_id = s.asset_id)
                  AND s.start_hash IS NOT NULL
                """)
            for row in rows {
                guard let hash = UInt64(row["start_hash"] as String, radix: 16) else { continue }
                let bands = HashBands.bands(of: hash)
                try db.execute(sql: """
                    INSERT INTO asset_opening_hashes (asset_id, start_hash, band0, band1, band2, band3) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [row["asset_id"] as Int64, HashBands.stored(hash), bands[0], bands[1], bands[2], bands[3]])
            }
        }
        // Issue 11: the loops stage's seamless loop ranges, best first.
        migrator.registerMigration("v3: asset loops") { db in
            try db.create(table: "asset_loops") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("loop_index", .integer).notNull()
                t.column("start_frame", .integer).notNull()
                t.column("end_frame", .integer).notNull()
                t.column("start_time", .double).notNull()
                t.column("end_time", .double).notNull()
                t.column("score", .double).notNull()
                t.column("seam_psnr", .double).notNull()
                t.uniqueKey(["asset_id", "loop_index"])
            }
        }
        // Issue 12: renditions of an asset; the same parameters twice make one row (the unique key).
        migrator.registerMigration("v3: asset variants") { db in
            try db.create(table: "asset_variants") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("variant_asset_id", .integer).notNull().references("assets", onDelete: .cascade)
                t.column("variant_type", .text).notNull()
                t.column("parameters_key", .text).notNull()
                t.column("path", .text).notNull()
                t.column("width", .integer).notNull()
                t.column("height", .integer).notNull()
                t.column("codec", .text).notNull()
                t.column("bit_rate", .integer)
                t.column("metadata", .jsonText)
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["asset_id", "variant_type", "parameters_key"])
            }
        }
        return migrator
    }
}
