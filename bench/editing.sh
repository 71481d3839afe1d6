#!/usr/bin/env bash
# Benchmark of clip (copy, exact, smart) and concat (copy) against the ffmpeg
# command line on the same generated files, in the same run. Prints each time
# and the ratio to its anchor; the targets (from issue 4) are:
#   copy   <= 1.5x  ffmpeg -ss S -to E -i F -c copy
#   exact  <= 1.1x  ffmpeg -ss S -to E -i F -c:v libx264 (same preset and CRF)
#   smart  <= 0.35x our exact, on a 15 s range of a source with 2 s GOPs
#   concat <= 1.5x  ffmpeg -f concat -i list -c copy
# Usage: bench/editing.sh   (builds nothing: run `bash scripts/build-release.sh` first)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/.build/release/pixsim-media"
[ -x "$BIN" ] || { echo "missing $BIN: run bash scripts/build-release.sh" >&2; exit 1; }
WORK="$(mktemp -d /tmp/pixsim-bench-editing.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
PRESET=veryfast
CRF=18
RUNS=${RUNS:-3}

# A 60 s 1280x720 25 fps source with 2 s GOPs, B-frames and stereo AAC.
ffmpeg -hide_banner -loglevel error -nostdin -y \
  -f lavfi -i "testsrc2=size=1280x720:rate=25:duration=60" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=60" \
  -c:v libx264 -preset veryfast -crf 20 -g 50 -keyint_min 50 -sc_threshold 0 -bf 3 \
  -c:a aac -b:a 128k -ac 2 "$WORK/source.mp4"
# Ten 6 s pieces of one encode for concat.
ffmpeg -hide_banner -loglevel error -nostdin -y -i "$WORK/source.mp4" -c copy -f segment -segment_time 6 \
  -reset_timestamps 1 "$WORK/piece%02d.mp4"
: > "$WORK/list.txt"
PIECES=()
for f in "$WORK"/piece*.mp4; do echo "file '$f'" >> "$WORK/list.txt"; PIECES+=("$f"); done

# Best of RUNS wall-clock seconds of a command.
best() {
  local best_time=""
  for _ in $(seq "$RUNS"); do
    local start end elapsed
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    elapsed=$(echo "$end - $start" | bc -l)
    if [ -z "$best_time" ] || (( $(echo "$elapsed < $best_time" | bc -l) )); then best_time=$elapsed; fi
  done
  printf "%.3f" "$best_time"
}

report() { # name ours anchor target
  local ratio
  ratio=$(echo "$2 / $3" | bc -l)
  printf "%-14s ours %7.3f s   anchor %7.3f s   ratio %5.2fx   (target <= %s)\n" "$1" "$2" "$3" "$ratio" "$4"
}

S=12.3; E=27.3   # a 15 s range that starts between keyframes
FF=(ffmpeg -hide_banner -loglevel error -nostdin -y)

ours=$(best "$BIN" clip "$WORK/source.mp4" --start $S --end $E -o "$WORK/ours-copy.mp4" --mode copy)
anchor=$(best "${FF[@]}" -ss $S -to $E -i "$WORK/source.mp4" -c copy "$WORK/ff-copy.mp4")
report "clip copy" "$ours" "$anchor" "1.5x"

ours_exact=$(best "$BIN" clip "$WORK/source.mp4" --start $S --end $E -o "$WORK/ours-exact.mp4" --mode exact --preset $PRESET --crf $CRF)
anchor=$(best "${FF[@]}" -ss $S -to $E -i "$WORK/source.mp4" -c:v libx264 -preset $PRESET -crf $CRF -c:a aac "$WORK/ff-exact.mp4")
report "clip exact" "$ours_exact" "$anchor" "1.1x"

ours=$(best "$BIN" clip "$WORK/source.mp4" --start $S --end $E -o "$WORK/ours-smart.mp4" --mode smart --preset $PRESET --crf $CRF)
report "clip smart" "$ours" "$ours_exact" "0.35x (vs our exact)"

ours=$(best "$BIN" concat "${PIECES[@]}" -o "$WORK/ours-concat.mp4" --mode copy)
anchor=$(best "${FF[@]}" -f concat -safe 0 -i "$WORK/list.txt" -c copy "$WORK/ff-concat.mp4")
report "concat copy" "$ours" "$anchor" "1.5x"

# The outputs are checked, not just timed.
for f in ours-copy ours-exact ours-smart ours-concat; do
  errors=$(ffmpeg -hide_banner -v error -nostdin -i "$WORK/$f.mp4" -f null - 2>&1 | head -3)
  [ -z "$errors" ] || echo "warning: $f.mp4 decodes with errors: $errors"
done
"$BIN" clip "$WORK/source.mp4" --start $S --end $E -o "$WORK/check.mp4" --mode smart --json --preset $PRESET | grep -E '"(mode|frames)"' | tr -d ' \n'; echo
