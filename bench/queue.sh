#!/usr/bin/env bash
# The job queue on PostgreSQL 15 (issue 9), in one run, with ratios:
#   1. queue overhead: no-op jobs (`worker --noop`: the real claim, lease and completion path, no pipeline)
#      with 4 workers, jobs/s claimed and completed, next to (anchor) pgbench running the same claim and
#      completion SQL from 4 clients: the most the server gives for this pattern;
#   2. enqueue-to-start latency with NOTIFY: jobs inserted one at a time (the backend's statement, its own
#      transaction), 10 ms apart, into idle workers; p50 and p99 of started_at - created_at;
#   3. jobs/s with 1, 2, 4 and 8 worker processes;
#   4. real media: `worker --concurrency 2` over the pipeline benchmark's 16 clips on PostgreSQL (running
#      before the jobs come, as the service it is; and started and stopped in the timing), next to
#      `batch --jobs 2` on SQLite.
# Goals: (1) >= 2000 jobs/s; (2) p50 <= 10 ms, p99 <= 50 ms; (4) <= 1.1x batch.
# The server is a throwaway cluster (initdb in a temporary folder, loopback port) with synchronous_commit=off
# (commits are WAL-logged; a crash can lose the last few hundred ms of commits, and a lost completion only
# means a job runs again: the queue is at-least-once). fsync stays on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# PIXSIM_BIN=.build/debug/pixsim-media measures another build (say so with the figures); default: release.
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
NOOP_JOBS="${QUEUE_BENCH_JOBS:-20000}"
WORK="$BENCH_OUT/queue"
rm -rf "$WORK"; mkdir -p "$WORK"
PGBIN=/usr/lib/postgresql/15/bin
PGDIR=$(mktemp -d /tmp/pixsim-bench-pg.XXXXXX)
chown postgres:postgres "$PGDIR"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U bench -A trust -E UTF8 --locale C >/dev/null
cat >> "$PGDIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$PGDIR'
synchronous_commit = off
max_connections = 200
shared_buffers = 256MB
CONF
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start >/dev/null
WORKER_PIDS=()
cleanup() {
  for pid in "${WORKER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap cleanup EXIT
PSQL=("$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U bench -X -q -A -t -v ON_ERROR_STOP=1)
FILES="$WORK/files"; mkdir -p "$FILES"
fresh_db() {  # fresh_db NAME: an empty database with the queue's tables; prints the library URL
  "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  "$PIXSIM" jobs stats --library "postgres://bench@127.0.0.1:$PORT/$1?files=$FILES" --quiet >/dev/null
  echo "postgres://bench@127.0.0.1:$PORT/$1?files=$FILES"
}
fill() {  # fill DB N: N queued no-op jobs
  "${PSQL[@]}" -d "$1" -c "INSERT INTO media_jobs (source, dedupe_key) SELECT '/noop/' || g, 'noop:' || g FROM generate_series(1, $2) g"
}
start_workers() {  # start_workers URL COUNT ARGS...
  local url="$1" count="$2"; shift 2
  WORKER_PIDS=()
  for _ in $(seq "$count"); do "$PIXSIM" worker --library "$url" --quiet "$@" & WORKER_PIDS+=($!); done
}
stop_workers() {
  for pid in "${WORKER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${WORKER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  WORKER_PIDS=()
}
wait_done() {  # wait_done DB N: until N jobs succeeded (one psql, polling inside the server: no process per poll)
  "${PSQL[@]}" -d "$1" -c "DO \$\$ BEGIN WHILE (SELECT count(*) FROM media_jobs WHERE state = 'succeeded') < $2 LOOP PERFORM pg_sleep(0.02); END LOOP; END \$\$"
}
rate() {  # rate DB: jobs/s from the first claim to the last completion, as the database recorded them
  "${PSQL[@]}" -d "$1" -c "SELECT round(count(*) / extract(epoch FROM max(finished_at) - min(started_at)))::int FROM media_jobs WHERE state = 'succeeded'"
}
noop_rate() {  # noop_rate WORKERS: jobs/s with that many no-op worker processes (concurrency 8 each)
  local db="noop_$1" url
  url=$(fresh_db "$db")
  fill "$db" "$NOOP_JOBS"
  start_workers "$url" "$1" --noop --concurrency 8
  wait_done "$db" "$NOOP_JOBS"
  stop_workers
  [ "$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM media_jobs WHERE state <> 'succeeded' OR attempts <> 1")" = 0 ]
  rate "$db"
}

echo "queue: PostgreSQL 15 on loopback, $NOOP_JOBS no-op jobs per run"
# QUEUE_BENCH_PARTS=media runs only part 4 (the real-media comparison), for profiling it.
if [ "${QUEUE_BENCH_PARTS:-all}" = all ]; then
# 1. Queue overhead, 4 workers, and the anchor: pgbench, 4 clients, the same claim + complete statements.
ours4=$(noop_rate 4)
url=$(fresh_db anchor); fill anchor "$NOOP_JOBS"
cat > "$WORK/claim_complete.sql" <<'SQL'
WITH picked AS (SELECT id FROM media_jobs WHERE state = 'queued' AND run_after <= clock_timestamp()
                ORDER BY priority, run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)
UPDATE media_jobs AS job SET state = 'running', lease_owner = 'pgbench', lease_token = gen_random_uuid(),
    lease_expires_at = clock_timestamp() + interval '30 seconds', attempts = job.attempts + 1, started_at = clock_timestamp()
FROM picked WHERE job.id = picked.id RETURNING job.id \gset
UPDATE media_jobs SET state = 'succeeded', finished_at = clock_timestamp() WHERE id = :id AND lease_owner = 'pgbench' AND state = 'running';
SQL
# (The completion fences on the owner rather than the token: pgbench variables cannot be quoted as a uuid;
# the statement's cost, an index look-up by id and a filter, is the same.)
"$PGBIN/pgbench" -h 127.0.0.1 -p "$PORT" -U bench -n -c 4 -j 2 -t $((NOOP_JOBS / 4)) -f "$WORK/claim_complete.sql" anchor >"$WORK/pgbench.log" 2>&1 \
  || { echo "pgbench failed:" >&2; tail -5 "$WORK/pgbench.log" >&2; }
anchor=$(rate anchor)
printf '%-34s pixsim %8d jobs/s | %-28s %8d jobs/s | ratio %6.3fx (goal >= 2000 jobs/s)\n' \
  "no-op jobs, 4 workers" "$ours4" "pgbench, same SQL, 4 clients" "$anchor" "$(echo "$ours4 / $anchor" | bc -l)"

# 2. Enqueue-to-start latency with NOTIFY: 4 idle workers (polling every 5 s, so only NOTIFY starts jobs fast).
url=$(fresh_db latency)
start_workers "$url" 4 --noop --poll-interval 5
sleep 1
for i in $(seq 1 300); do
  printf "BEGIN; INSERT INTO media_jobs (source, manifest, dedupe_key) VALUES ('/lat/%d', NULL, 'lat:%d') ON CONFLICT DO NOTHING; NOTIFY pixsim_media_jobs; COMMIT; SELECT pg_sleep(0.01);\n" "$i" "$i"
done | "${PSQL[@]}" -d latency >/dev/null
wait_done latency 300
stop_workers
read -r p50 p99 < <("${PSQL[@]}" -F ' ' -d latency -c "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at))::numeric, 2), round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at))::numeric, 2) FROM media_jobs")
printf '%-34s p50 %6.2f ms, p99 %6.2f ms (goal p50 <= 10 ms, p99 <= 50 ms; 300 jobs, 10 ms apart)\n' "enqueue-to-start latency (NOTIFY)" "$p50" "$p99"

# 3. Scaling with worker processes.
ours1=$(noop_rate 1); ours2=$(noop_rate 2); ours8=$(noop_rate 8)
printf '%-34s 1: %d, 2: %d, 4: %d, 8: %d jobs/s (ratio 8/1 %.2fx)\n' "no-op jobs/s by worker processes" \
  "$ours1" "$ours2" "$ours4" "$ours8" "$(echo "$ours8 / $ours1" | bc -l)"

fi

# 4. Real media: the pipeline benchmark's clips, worker on PostgreSQL against batch on SQLite.
CLIPS="$BENCH_OUT/pipeline/clips"
bench_pipeline_clips "$CLIPS" 16
mapfile -t CLIP_FILES < <(find "$CLIPS" -name '*.mp4' | sort)
media_prepare() {  # a fresh database and file store (not timed: a library is made once, not per batch)
  rm -rf "$FILES"; mkdir -p "$FILES"
  MEDIA_URL=$(fresh_db media)
}
# `worker` is a service: it runs before the jobs come and after. Its timing is from the enqueue (our
# `enqueue` command, a process like `batch`) to the last completion, with one worker of 2 slots already
# started and listening; the cold form below also times the worker's own start (a process that loads 161
# shared libraries, libav's codecs among them: about 0.1 s) and its stop.
media_prepare_running() {
  media_prepare
  start_workers "$MEDIA_URL" 1 --concurrency 2 --poll-interval 0.1
  # Until the worker listens for new jobs (the activity view is read afresh each turn: a transaction keeps one view).
  "${PSQL[@]}" -d media -c "DO \$\$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = 'media' AND query LIKE 'LISTEN%') LOOP PERFORM pg_sleep(0.01); PERFORM pg_stat_clear_snapshot(); END LOOP; END \$\$"
}
media_running() {  # timed: enqueue the clips until all are done
  "$PIXSIM" enqueue --library "$MEDIA_URL" --quiet "${CLIP_FILES[@]}"
  wait_done media "${#CLIP_FILES[@]}"
}
media_worker_cold() {  # timed: enqueue the clips, start one worker with 2 slots, until all are done, its stop
  "$PIXSIM" enqueue --library "$MEDIA_URL" --quiet "${CLIP_FILES[@]}"
  start_workers "$MEDIA_URL" 1 --concurrency 2 --poll-interval 0.1
  wait_done media "${#CLIP_FILES[@]}"
  stop_workers
}
media_pg_batch() { "$PIXSIM" batch --library "$MEDIA_URL" --jobs 2 --quiet "$CLIPS"; }
media_batch() { rm -rf "$WORK/sqlite-library"; "$PIXSIM" batch --library "$WORK/sqlite-library" --jobs 2 --quiet "$CLIPS"; }
# The contenders run in turn, MEDIA_ROUNDS rounds (each run's preparation untimed), and the medians are
# compared: alternating puts all under the same background load as it comes and goes. (Three rounds left
# the ratio moving by 0.1 from one run of the bench to the next on this shared machine.)
timed_once() {  # timed_once PREPARE RUN [FINISH]: seconds of RUN alone
  local start end
  "$1"; start=$(date +%s.%N); "$2" >/dev/null 2>&1 || true; end=$(date +%s.%N)
  if [ -n "${3:-}" ]; then "$3"; fi
  echo "$end - $start" | bc -l
}
media_prepare; media_worker_cold
[ "$("${PSQL[@]}" -d media -c "SELECT count(*) FROM media_jobs WHERE state = 'succeeded' AND asset_id IS NOT NULL")" = 16 ]
no_prepare() { :; }
running_times=(); cold_times=(); pg_batch_times=(); batch_times=()
for _ in $(seq "${MEDIA_ROUNDS:-5}"); do
  running_times+=("$(timed_once media_prepare_running media_running stop_workers)")
  cold_times+=("$(timed_once media_prepare media_worker_cold)")
  pg_batch_times+=("$(timed_once media_prepare media_pg_batch)")
  batch_times+=("$(timed_once no_prepare media_batch)")
done
running_time=$(median "${running_times[@]}"); cold_time=$(median "${cold_times[@]}")
pg_batch_time=$(median "${pg_batch_times[@]}"); batch_time=$(median "${batch_times[@]}")
report "worker, running (PG)" "$running_time" "batch --jobs 2 (SQLite)" "$batch_time" "<= 1.1x"
report "worker, started and stopped (PG)" "$cold_time" "batch --jobs 2 (SQLite)" "$batch_time" "(its start and stop in it)"
report "batch --jobs 2 (PG, via queue)" "$pg_batch_time" "batch --jobs 2 (SQLite)" "$batch_time" "<= 1.1x"
