/// The DDL of the job queue (`media_jobs`, SPEC section 7) as named migrations.
///
/// One list of `(identifier, SQL)`, applied in order, each once, recorded in
/// `pixsim_schema_migrations` like every other PostgreSQL migration of the
/// library. The store's migrator appends this list to its own; until it exists,
/// ``PostgresSchemaMigrations`` applies it the same way.
public enum JobQueueMigrations {
    public static let all: [(identifier: String, sql: String)] = [
        ("jobs_001_media_jobs", """
        CREATE TABLE media_jobs (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            source TEXT NOT NULL,
            manifest JSONB,
            stages TEXT,
            dedupe_key TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 0,
            run_after TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
            lease_owner TEXT,
            lease_token UUID,
            lease_expires_at TIMESTAMPTZ,
            last_error TEXT,
            asset_id BIGINT,
            started_at TIMESTAMPTZ,
            finished_at TIMESTAMPTZ
        );
        -- One unfinished job per source and stage set: a second enqueue is ON CONFLICT DO NOTHING.
        CREATE UNIQUE INDEX media_jobs_dedupe_unfinished ON media_jobs (dedupe_key)
            WHERE state IN ('queued', 'running');
        -- The claim: the queued jobs in the order they are taken.
        CREATE INDEX media_jobs_fetch ON media_jobs (priority, run_after, id) WHERE state = 'queued';
        -- The rescue: running jobs by lease expiry.
        CREATE INDEX media_jobs_leases ON media_jobs (lease_expires_at) WHERE state = 'running';
        -- Prune and throughput: finished jobs by finish time.
        CREATE INDEX media_jobs_finished ON media_jobs (finished_at) WHERE finished_at IS NOT NULL;
        """),
    ]
}
