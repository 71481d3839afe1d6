#!/usr/bin/env bash
# Shot boundaries on real footage (issue 13): splices single-shot pieces of the
# corpus's camera and film footage with cuts, dissolves, fades (with and without
# a black hold) and cuts into black at frames a seed chooses
# (bench/shots/splice.py, ffmpeg command line, truth beside each file), then
# scores `segments` and PySceneDetect's content, adaptive, histogram and hash
# detectors on them and on the corpus's real files as they are
# (bench/shots/real/*.truth.json), in the same run (bench/shots/score.py).
# Goals: hard cuts F1 >= 0.98 at the exact frame, all transitions F1 >= 0.97,
# at least the best PySceneDetect detector on every file.
# SEED=N chooses other files (default 13); COUNT files of PIECES shots each.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# PIXSIM_BIN=… measures a given build (say so with the figures); default: release.
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
python3 -c "import scenedetect, cv2" 2>/dev/null || pip install --quiet "scenedetect==0.7.*" opencv-python-headless
SEED=${SEED:-13}; COUNT=${COUNT:-6}; PIECES=${PIECES:-20}
OUT="$BENCH_OUT/shots/seed-$SEED"
if [ ! -s "$OUT/spliced-$SEED-$((COUNT - 1)).webm.truth.json" ] && [ ! -s "$OUT/spliced-$SEED-$((COUNT - 1)).mp4.truth.json" ]; then
  python3 "$BENCH_ROOT/bench/shots/splice.py" "$CORPUS" "$OUT" "$SEED" "$COUNT" "$PIECES" >/dev/null
fi
echo "== spliced real footage (seed $SEED)"
python3 "$BENCH_ROOT/bench/shots/score.py" "$PIXSIM" "$OUT"/*.truth.json
echo "== corpus files as they are"
CORPUS="$CORPUS" python3 "$BENCH_ROOT/bench/shots/score.py" "$PIXSIM" "$BENCH_ROOT"/bench/shots/real/*.truth.json
