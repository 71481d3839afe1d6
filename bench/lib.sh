# Shared by the bench/*.sh scripts: timing and ratio printing.
# Machines here are shared and noisy: each contender runs several times in the
# same script and the median wall time is compared, as a ratio.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_OUT="$BENCH_ROOT/bench/out"
PIXSIM="$BENCH_ROOT/.build/release/pixsim-media"
CORPUS="${PIXSIM_CORPUS:-$BENCH_ROOT/../shared/corpus}"
RUNS="${BENCH_RUNS:-5}"
mkdir -p "$BENCH_OUT"

# Builds the release binary once per bench run.
bench_build() {
  if [ -z "${PIXSIM_BENCH_BUILT:-}" ]; then
    (cd "$BENCH_ROOT" && bash scripts/build-release.sh 2>&1 | tail -1) >&2
    export PIXSIM_BENCH_BUILT=1
  fi
}

# median_time CMD...: runs CMD $RUNS times (output discarded), prints the median wall seconds.
median_time() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  median "${times[@]}"
}

# median X...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# paired_medians OURS_FN ANCHOR_FN: runs the two (shell functions or commands without arguments) in
# turn, $RUNS times each, ours first, and prints "OURS_MEDIAN ANCHOR_MEDIAN". Alternating puts both under
# the same background load as it comes and goes, where running one's repeats and then the other's does not.
paired_medians() {
  local ours=() anchor=() start end
  for _ in $(seq "$RUNS"); do
    start=$(date +%s.%N); "$1" >/dev/null 2>&1 || true; end=$(date +%s.%N)
    ours+=("$(echo "$end - $start" | bc -l)")
    start=$(date +%s.%N); "$2" >/dev/null 2>&1 || true; end=$(date +%s.%N)
    anchor+=("$(echo "$end - $start" | bc -l)")
  done
  echo "$(median "${ours[@]}")" "$(median "${anchor[@]}")"
}

# report LABEL OURS ANCHOR_LABEL ANCHOR GOAL: prints times and ratio ours/anchor.
report() {
  local label="$1" ours="$2" anchor_label="$3" anchor="$4" goal="$5"
  local ratio
  ratio=$(echo "$ours / $anchor" | bc -l)
  printf '%-34s pixsim %8.3fs | %-28s %8.3fs | ratio %6.3fx (goal %s)\n' "$label" "$ours" "$anchor_label" "$anchor" "$ratio" "$goal"
}

# Python with PyAV/scenedetect/opencv for the anchors, installed on first use.
bench_python_deps() {
  python3 -c "import av, scenedetect, cv2" 2>/dev/null || pip install -q av scenedetect opencv-python-headless >&2
}

# bench_pipeline_clips DIR COUNT: distinct provider-like clips (5 s, 1280x720, 30 fps, H.264 + AAC,
# moving content and a tone, different per file), made once and reused.
bench_pipeline_clips() {
  local clips="$1" count="$2"
  mkdir -p "$clips"
  for i in $(seq -w 1 "$count"); do
    local out="$clips/gen_$i.mp4"
    [ -s "$out" ] && continue
    ffmpeg -hide_banner -loglevel error -nostdin -y \
      -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" \
      -f lavfi -i "sine=frequency=$((200 + 10#$i * 20)):sample_rate=48000:duration=5" \
      -vf "hue=h=$((10#$i * 20))" -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 60 \
      -c:a aac -b:a 128k -shortest "$out"
  done
}
