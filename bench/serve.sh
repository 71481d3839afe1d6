#!/usr/bin/env bash
# Load on `pixsim-media serve` (issue 10): a library of ASSETS assets (default 100,000) served by the release
# build; wrk (-t2 -c64, DURATION s each) on the asset list (`/api/v1/assets`, one page of 50) and on a range
# request of one media file; the same range of the same file served by nginx in the same run, as the anchor.
# Goals: asset list >= 5,000 requests/s with p99 < 50 ms; media throughput >= 0.8x nginx's.
# The rows are generated in SQLite itself (a recursive CTE); one real video is ingested so /media has a file.
# Usage: bench/serve.sh   (ASSETS=20000 DURATION=10 for a quick run; PIXSIM_BIN=… to use a built binary)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ASSETS="${ASSETS:-100000}"
DURATION="${DURATION:-30}"
RANGE="${RANGE:-bytes=1048576-2097151}"
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
for tool in wrk nginx sqlite3 ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "bench/serve.sh needs $tool (apt-get install -y wrk nginx sqlite3 ffmpeg curl)" >&2; exit 1; }
done
WORK="$(mktemp -d /tmp/pixsim-bench-serve.XXXXXX)"
SERVE_PID="" NGINX_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  [ -n "${ACCEL_PID:-}" ] && kill "$ACCEL_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

LIB="$WORK/library"
echo "making one real video and ingesting it…" >&2
ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=12" \
  -c:v libx264 -preset ultrafast -b:v 3M -pix_fmt yuv420p "$WORK/real.mp4"
"$PIXSIM" ingest --library "$LIB" --stages probe,thumbnail -q "$WORK/real.mp4"
SHA=$(sqlite3 "$LIB/library.sqlite" "SELECT sha256 FROM assets WHERE id = 1")
MEDIA_PATH=$(sqlite3 "$LIB/library.sqlite" "SELECT local_path FROM assets WHERE id = 1")
case "$MEDIA_PATH" in /*) ;; *) MEDIA_PATH="$LIB/$MEDIA_PATH" ;; esac
SIZE=$(stat -c %s "$MEDIA_PATH")

echo "generating $ASSETS assets in SQLite…" >&2
gen_start=$(date +%s.%N)
sqlite3 "$LIB/library.sqlite" <<SQL
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO assets (id, sha256, media_type, mime_type, original_path, provider_id, width, height, duration_sec, fps,
    frame_count, file_size_bytes, sync_status, created_at)
  WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $ASSETS + 1)
  SELECT i, printf('%064x', i), CASE i % 10 WHEN 0 THEN 'image' WHEN 1 THEN 'audio' ELSE 'video' END, 'video/mp4',
         printf('/corpus/batch-%03d/generation_%07d.mp4', i % 500, i), CASE i % 3 WHEN 0 THEN 'pixverse' WHEN 1 THEN 'sora' ELSE 'veo' END,
         1280, 720, 5.0 + (i % 7), 30.0, 150, 1000000 + i, 'stored', '2026-01-01 00:00:00.000'
  FROM n;
COMMIT;
ANALYZE;
SQL
echo "  generated in $(echo "$(date +%s.%N) - $gen_start" | bc -l | cut -c1-6) s" >&2

PORT=$(free_port)
"$PIXSIM" serve --library "$LIB" --bind "127.0.0.1:$PORT" 2> "$WORK/serve.log" &
SERVE_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/assets?limit=1" >/dev/null && break; sleep 0.1; done

# The same library served again with --accel-redirect, behind nginx (below): the deployment the README gives
# for media at nginx's speed.
ACCEL_PORT=$(free_port)
"$PIXSIM" serve --library "$LIB" --bind "127.0.0.1:$ACCEL_PORT" --accel-redirect /internal-files -q 2> "$WORK/serve-accel.log" &
ACCEL_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$ACCEL_PORT/api/v1/assets?limit=1" >/dev/null && break; sleep 0.1; done

NGINX_PORT=$(free_port)
FRONT_PORT=$(free_port)
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<NGINX
daemon off;
# The workers must read the library under mktemp -d (mode 700), as the user running the bench.
user '$(id -un)';
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  types { video/mp4 mp4; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $LIB;
  }
  upstream pixsim { server 127.0.0.1:$ACCEL_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$FRONT_PORT;
    location / {
      proxy_pass http://pixsim;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
    location /internal-files/ {
      internal;
      alias $LIB/;
    }
  }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
NGINX_URL="http://127.0.0.1:$NGINX_PORT/${MEDIA_PATH#$LIB/}"
for _ in $(seq 50); do curl -sf -o /dev/null "$NGINX_URL" && break; sleep 0.1; done

# Both must answer the range with the same bytes before either is timed.
curl -sf -H "Range: $RANGE" "http://127.0.0.1:$PORT/media/$SHA" -o "$WORK/ours.bin"
curl -sf -H "Range: $RANGE" "$NGINX_URL" -o "$WORK/nginx.bin"
cmp -s "$WORK/ours.bin" "$WORK/nginx.bin" || { echo "serve and nginx answer the range differently" >&2; exit 1; }
FRONT_URL="http://127.0.0.1:$FRONT_PORT/media/$SHA"
curl -sf -H "Range: $RANGE" "$FRONT_URL" -o "$WORK/front.bin"
cmp -s "$WORK/front.bin" "$WORK/nginx.bin" || { echo "nginx in front of serve answers the range differently" >&2; exit 1; }

# Every request a different page (`before=` at random): no answer is asked for twice, so none is a kept one.
cat > "$WORK/pages.lua" <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/assets?before=" .. math.random(2, $ASSETS))
end
LUA

# run_wrk URL [HEADER|-s SCRIPT]: prints "requests/s p50_ms p99_ms non-2xx".
run_wrk() {
  local url="$1" header="${2:-}" out
  if [ "$header" = "-s" ]; then out=$(wrk -t2 -c64 -d"${DURATION}s" --latency -s "$3" "$url")
  elif [ -n "$header" ]; then out=$(wrk -t2 -c64 -d"${DURATION}s" --latency -H "$header" "$url"); else out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "$url"); fi
  echo "$out" >> "$WORK/wrk.txt"
  local rps p50 p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${errors:-0}"
}
to_ms() { echo "$1" | awk '/us$/ {sub("us",""); printf "%.2f", $1/1000; next} /ms$/ {sub("ms",""); printf "%.2f", $1; next} /s$/ {sub("s",""); printf "%.2f", $1*1000}'; }

echo "wrk -t2 -c64 -d${DURATION}s on each (library of $ASSETS assets, media $SIZE bytes, range $RANGE)…" >&2
read -r list_rps list_p50 list_p99 list_err <<< "$(run_wrk "http://127.0.0.1:$PORT/api/v1/assets")"
read -r pages_rps pages_p50 pages_p99 pages_err <<< "$(run_wrk "http://127.0.0.1:$PORT" -s "$WORK/pages.lua")"
read -r media_rps media_p50 media_p99 media_err <<< "$(run_wrk "http://127.0.0.1:$PORT/media/$SHA" "Range: $RANGE")"
read -r nginx_rps nginx_p50 nginx_p99 nginx_err <<< "$(run_wrk "$NGINX_URL" "Range: $RANGE")"
read -r front_rps front_p50 front_p99 front_err <<< "$(run_wrk "$FRONT_URL" "Range: $RANGE")"

{
  printf '%-34s %10s %9s %9s %8s\n' "" "req/s" "p50 ms" "p99 ms" "non-2xx"
  printf '%-34s %10s %9s %9s %8s\n' "serve /api/v1/assets (50/page)" "$list_rps" "$list_p50" "$list_p99" "$list_err"
  printf '%-34s %10s %9s %9s %8s\n' "serve /api/v1/assets random pages" "$pages_rps" "$pages_p50" "$pages_p99" "$pages_err"
  printf '%-34s %10s %9s %9s %8s\n' "serve /media range (1 MiB)" "$media_rps" "$media_p50" "$media_p99" "$media_err"
  printf '%-34s %10s %9s %9s %8s\n' "nginx same range" "$nginx_rps" "$nginx_p50" "$nginx_p99" "$nginx_err"
  printf '%-34s %10s %9s %9s %8s\n' "nginx -> serve --accel-redirect" "$front_rps" "$front_p50" "$front_p99" "$front_err"
  printf 'media throughput ours/nginx: %.3fx alone, %.3fx behind nginx with --accel-redirect (goal >= 0.8x); asset list goal >= 5000 req/s, p99 < 50 ms\n' \
    "$(echo "$media_rps / $nginx_rps" | bc -l)" "$(echo "$front_rps / $nginx_rps" | bc -l)"
} | tee "$BENCH_OUT/serve.txt"
