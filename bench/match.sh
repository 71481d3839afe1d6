#!/usr/bin/env bash
# Benchmark of `match` on a library of ASSETS assets (default 1,000,000) with 5
# segments each, on both engines, in the same run. Goal (issue 9): one `match`
# within 50 ms on either engine. Rows are generated in the database itself
# (a recursive CTE on SQLite, generate_series on PostgreSQL), with five planted
# continuations of asset 1 at distances 0, 2, 5, 8 and 10.
#
# Contenders, each the median of BENCH_RUNS runs:
#   match D=10         the band index (HashBands): what `match` does by default
#   assets show        the same command's fixed cost (start, open, one read)
#   anchor             a scan of every opening hash: on SQLite the rows the old
#                      `match` read (sqlite3), on PostgreSQL the distance computed
#                      in SQL over every row (psql)
# Usage: bench/match.sh   (ASSETS=200000 for a quicker run; PIXSIM_BIN=… to use a built binary;
#                         PIXSIM_BENCH_PG_URL=postgres://… to use a server instead of a throwaway one)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ASSETS="${ASSETS:-1000000}"
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
WORK="$(mktemp -d /tmp/pixsim-bench-match.XXXXXX)"
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=""
cleanup() {
  if [ -n "$PGDATA" ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- SQLite ------------------------------------------------------------------
LIB="$WORK/sqlite-library"
"$PIXSIM" assets list --library "$LIB" >/dev/null
echo "generating $ASSETS assets x 5 segments in SQLite…" >&2
gen_start=$(date +%s.%N)
sqlite3 "$LIB/library.sqlite" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE h AS
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ASSETS)
  SELECT i AS id, random() AS opening, random() AS closing FROM n;
-- Asset 1 closes on 0x0f0f…; assets 2-6 open at distances 0, 2, 5, 8 and 10 from it.
UPDATE h SET closing = 0x0f0f0f0f0f0f0f0f WHERE id = 1;
-- (SQLite has no XOR: 0x0f0f... XOR 0, 0x3, 0x1f, 0xff and 0x3ff, worked out.)
UPDATE h SET opening = CASE id WHEN 2 THEN 0x0f0f0f0f0f0f0f0f WHEN 3 THEN 0x0f0f0f0f0f0f0f0c WHEN 4 THEN 0x0f0f0f0f0f0f0f10
                       WHEN 5 THEN 0x0f0f0f0f0f0f0ff0 WHEN 6 THEN 0x0f0f0f0f0f0f0cf0 END WHERE id BETWEEN 2 AND 6;
INSERT INTO assets (id, sha256, media_type, file_size_bytes, sync_status, created_at)
  SELECT id, printf('%064x', id), 'video', 1000, 'stored', '2026-01-01 00:00:00.000' FROM h;
INSERT INTO asset_temporal_segments (asset_id, segment_index, segment_type, transition_in, timestamp_sec, end_sec,
    frame_number, end_frame, start_hash, end_hash)
  SELECT h.id, k.k, 'scene', 'cut', k.k, k.k + 1, k.k * 30, k.k * 30 + 30,
         printf('%016x', CASE k.k WHEN 0 THEN h.opening ELSE random() END),
         printf('%016x', CASE k.k WHEN 4 THEN h.closing ELSE random() END)
  FROM h, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) k;
INSERT INTO asset_opening_hashes (asset_id, start_hash, band0, band1, band2, band3)
  SELECT id, opening, opening & 65535, (opening >> 16) & 65535, (opening >> 32) & 65535, (opening >> 48) & 65535 FROM h;
COMMIT;
ANALYZE;
SQL
echo "  generated in $(echo "$(date +%s.%N) - $gen_start" | bc -l | cut -c1-6) s" >&2
found=$("$PIXSIM" match --library "$LIB" 1 --json)
echo "  sqlite match: $found" >&2
sq_match=$(median_time "$PIXSIM" match --library "$LIB" 1 --max-distance 10 --json)
sq_show=$(median_time "$PIXSIM" assets show --library "$LIB" 1 --json)
sq_scan=$(median_time sqlite3 "$LIB/library.sqlite" "SELECT s.asset_id, s.start_hash FROM asset_temporal_segments s WHERE s.segment_index = 0 AND s.asset_id <> 1")

# ---- PostgreSQL ---------------------------------------------------------------
FILES="$WORK/pg-files"
if [ -n "${PIXSIM_BENCH_PG_URL:-}" ]; then
  URL="$PIXSIM_BENCH_PG_URL"
  PSQL=(psql "$URL" -X -q -A -t -v ON_ERROR_STOP=1)
else
  PGDATA="$WORK/pg/data"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$WORK/pg" && echo bench > "$WORK/pg/pw" && chown -R postgres:postgres "$WORK/pg" && chmod 755 "$WORK"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U bench --pwfile "$WORK/pg/pw" --auth-host scram-sha-256 \
    --auth-local trust --no-sync >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg/log" -w \
    -o "-p $PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB" start >/dev/null
  runuser -u postgres -- "$PGBIN/createdb" -h "$WORK/pg" -p "$PORT" -U bench media
  URL="postgres://bench:bench@127.0.0.1:$PORT/media"
  PSQL=(runuser -u postgres -- psql -h "$WORK/pg" -p "$PORT" -U bench -d media -X -q -A -t -v ON_ERROR_STOP=1)
fi
"$PIXSIM" assets list --library "$URL" --files "$FILES" >/dev/null
echo "generating $ASSETS assets x 5 segments in PostgreSQL…" >&2
gen_start=$(date +%s.%N)
"${PSQL[@]}" <<SQL
SET synchronous_commit = off;
BEGIN;
CREATE TEMP TABLE h AS
  SELECT i::bigint AS id, ('x' || substr(md5('o' || i), 1, 16))::bit(64)::bigint AS opening,
         ('x' || substr(md5('c' || i), 1, 16))::bit(64)::bigint AS closing
  FROM generate_series(1, $ASSETS) AS i;
UPDATE h SET closing = x'0f0f0f0f0f0f0f0f'::bigint WHERE id = 1;
UPDATE h SET opening = x'0f0f0f0f0f0f0f0f'::bigint # CASE id WHEN 2 THEN 0 WHEN 3 THEN 3 WHEN 4 THEN 31
                       WHEN 5 THEN 255 WHEN 6 THEN 1023 END WHERE id BETWEEN 2 AND 6;
INSERT INTO assets (id, sha256, media_type, file_size_bytes, sync_status, created_at)
  OVERRIDING SYSTEM VALUE SELECT id, lpad(to_hex(id), 64, '0'), 'video', 1000, 'stored', now() FROM h;
SELECT setval(pg_get_serial_sequence('assets', 'id'), $ASSETS);
INSERT INTO asset_temporal_segments (asset_id, segment_index, segment_type, transition_in, timestamp_sec, end_sec,
    frame_number, end_frame, start_hash, end_hash)
  SELECT h.id, k, 'scene', 'cut', k, k + 1, k * 30, k * 30 + 30,
         lpad(to_hex(CASE k WHEN 0 THEN h.opening ELSE ('x' || substr(md5('s' || h.id || k), 1, 16))::bit(64)::bigint END), 16, '0'),
         lpad(to_hex(CASE k WHEN 4 THEN h.closing ELSE ('x' || substr(md5('e' || h.id || k), 1, 16))::bit(64)::bigint END), 16, '0')
  FROM h, generate_series(0, 4) AS k;
INSERT INTO asset_opening_hashes (asset_id, start_hash, band0, band1, band2, band3)
  SELECT id, opening, opening & 65535, (opening >> 16) & 65535, (opening >> 32) & 65535, (opening >> 48) & 65535 FROM h;
COMMIT;
VACUUM ANALYZE;
SQL
echo "  generated in $(echo "$(date +%s.%N) - $gen_start" | bc -l | cut -c1-6) s" >&2
found_pg=$("$PIXSIM" match --library "$URL" --files "$FILES" 1 --json)
echo "  postgres match: $found_pg" >&2
[ "$found" = "$found_pg" ] || { echo "the engines disagree: $found vs $found_pg" >&2; exit 1; }
pg_match=$(median_time "$PIXSIM" match --library "$URL" --files "$FILES" 1 --max-distance 10 --json)
pg_show=$(median_time "$PIXSIM" assets show --library "$URL" --files "$FILES" 1 --json)
pg_scan=$(median_time "${PSQL[@]}" -c "SELECT asset_id FROM asset_opening_hashes
  WHERE asset_id <> 1 AND bit_count((start_hash # x'0f0f0f0f0f0f0f0f'::bigint)::bit(64)) <= 10")

echo "match on $ASSETS assets x 5 segments (median of $RUNS runs; goal: match <= 50 ms)"
report "sqlite: match D=10 vs fixed cost" "$sq_match" "assets show (open+read)" "$sq_show" "match - show small"
report "sqlite: match D=10 vs scan" "$sq_match" "sqlite3 read of every hash" "$sq_scan" "< 1"
report "postgres: match D=10 vs fixed cost" "$pg_match" "assets show (open+read)" "$pg_show" "match - show small"
report "postgres: match D=10 vs scan" "$pg_match" "psql SQL distance scan" "$pg_scan" "< 1"
printf 'match own cost (match - assets show): sqlite %.1f ms, postgres %.1f ms\n' \
  "$(echo "($sq_match - $sq_show) * 1000" | bc -l)" "$(echo "($pg_match - $pg_show) * 1000" | bc -l)"
