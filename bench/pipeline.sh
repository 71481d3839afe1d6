#!/usr/bin/env bash
# The pipeline over a batch of provider-like clips (5 s, 1280x720, 30 fps,
# H.264 + AAC), default stages, --jobs 2, into a fresh library each run, next to:
#   (a) the pipeline a Python backend would write today: per file SHA-256,
#       ffprobe, PySceneDetect detect-content, a poster and 5 keyframes with the
#       ffmpeg command line, rows in SQLite; two worker processes;
#   (b) plainly decoding the same files with two ffmpeg processes at once.
# Also the peak memory of the batch (/usr/bin/time -v), and with
# BENCH_LONG=1 the peak memory over a 500-file batch (flat memory).
# Goals (issue 5): at least 5x faster than (a); at most 1.3x (b); peak memory <= 300 MiB.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${BENCH_RUNS:-3}"
COUNT="${PIPELINE_BENCH_FILES:-16}"
bench_build
bench_python_deps

WORK="$BENCH_OUT/pipeline"
CLIPS="$WORK/clips"
bench_pipeline_clips "$CLIPS" "$COUNT"
mapfile -t FILES < <(find "$CLIPS" -name '*.mp4' | sort)
echo "pipeline: ${#FILES[@]} clips (5 s, 720p30, H.264 + AAC), default stages, --jobs 2; median of $RUNS runs"

cat > "$WORK/python_pipeline.py" <<'PY'
# What a Python backend would run per downloaded file, two workers.
import hashlib, json, os, sqlite3, subprocess, sys
from multiprocessing import Pool

def process(args):
    path, out = args
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    digest = sha.hexdigest()
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
                                      capture_output=True, check=True).stdout)
    from scenedetect import detect, ContentDetector
    scenes = detect(path, ContentDetector())
    duration = float(probe["format"]["duration"])
    folder = os.path.join(out, digest)
    os.makedirs(folder, exist_ok=True)
    times = [duration / 3] + [duration * (k + 0.5) / 5 for k in range(5)]
    for n, t in enumerate(times):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", path, "-frames:v", "1",
                        "-vf", "scale=640:-2", os.path.join(folder, f"frame_{n}.jpg")], check=True)
    return digest, path, probe, [(s.get_seconds(), e.get_seconds()) for s, e in scenes]

if __name__ == "__main__":
    out, files = sys.argv[1], sys.argv[2:]
    db = sqlite3.connect(os.path.join(out, "library.sqlite"))
    db.execute("CREATE TABLE IF NOT EXISTS assets (sha256 TEXT PRIMARY KEY, path TEXT, probe TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS segments (sha256 TEXT, start REAL, end REAL)")
    with Pool(2) as pool:
        for digest, path, probe, scenes in pool.imap_unordered(process, [(f, out) for f in files]):
            db.execute("INSERT OR REPLACE INTO assets VALUES (?, ?, ?)", (digest, path, json.dumps(probe)))
            db.executemany("INSERT INTO segments VALUES (?, ?, ?)", [(digest, s, e) for s, e in scenes])
            db.commit()
PY

ours_batch() { rm -rf "$WORK/library"; "$PIXSIM" batch --library "$WORK/library" --jobs 2 --quiet "$CLIPS"; }
python_pipeline() { rm -rf "$WORK/python"; mkdir -p "$WORK/python"; python3 "$WORK/python_pipeline.py" "$WORK/python" "${FILES[@]}"; }
ffmpeg_decode() { printf '%s\n' "${FILES[@]}" | xargs -P 2 -I{} ffmpeg -v error -nostdin -i {} -f null -; }

# Check once that our batch really does its work before timing it.
ours_batch
"$PIXSIM" batch --library "$WORK/library" --jobs 2 --json "$CLIPS" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["failed"] == 0 and d["skipped"] == d["processed"], d
'
stages=$("$PIXSIM" assets show --library "$WORK/library" 1 --json | python3 -c 'import json,sys; print(",".join(s["stage"] for s in json.load(sys.stdin)["stages"] if s["status"] == "succeeded"))')
echo "stages run per asset: $stages"

ours=$(median_time ours_batch)
python=$(median_time python_pipeline)
decode=$(median_time ffmpeg_decode)
report "pipeline batch --jobs 2" "$ours" "(a) Python pipeline, 2 workers" "$python" "<= 0.2x (5x faster)"
report "pipeline batch --jobs 2" "$ours" "(b) 2 x ffmpeg decode" "$decode" "<= 1.3x"

peak_kib() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}'; }
rm -rf "$WORK/library"
peak=$(peak_kib "$PIXSIM" batch --library "$WORK/library" --jobs 2 --quiet "$CLIPS")
printf '%-34s peak RSS %6.1f MiB (goal <= 300 MiB)\n' "pipeline batch --jobs 2" "$(echo "$peak / 1024" | bc -l)"

if [ -n "${BENCH_LONG:-}" ]; then
  # 500 files (the clips above, copied under distinct names with distinct bytes): memory must stay flat.
  LONG="$WORK/long"
  rm -rf "$LONG" "$WORK/long-library"; mkdir -p "$LONG"
  for n in $(seq 1 500); do
    src="${FILES[$(( (n - 1) % ${#FILES[@]} ))]}"
    ffmpeg -v error -nostdin -y -i "$src" -c copy -metadata "comment=copy $n" "$LONG/c_$n.mp4"
  done
  peak_long=$(peak_kib "$PIXSIM" batch --library "$WORK/long-library" --jobs 2 --quiet "$LONG")
  printf '%-34s peak RSS %6.1f MiB over 500 files (16 files: %.1f MiB)\n' "pipeline batch --jobs 2" \
    "$(echo "$peak_long / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
fi
