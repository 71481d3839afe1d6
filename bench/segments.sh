#!/usr/bin/env bash
# segments (one decode pass + analysis) against the practical limit, decoding the same file with
# `ffmpeg -i F -an -f null -`, and against PySceneDetect 0.7 `scenedetect -i F detect-content`,
# on generated 720p and 1080p H.264 and 540p HEVC clips with cuts, on generated 5 s single shots of
# one GOP (H.264, HEVC and AV1 1080p, VP9 720p), and on a few corpus files (one a Chrome recording:
# Matroska without cues or duration).
# Goals: <= 0.9x ffmpeg's decode time; >= 2x faster than PySceneDetect.
# RUNS=N rounds (default 3); times are the best of the rounds, ratios the median of the rounds' own.
# The floor column is what any tool that decodes every frame with libavcodec would need at best on
# this machine: ffmpeg's one-thread decode with the loop filter skipped (as segments decodes),
# divided by the cores, as if split over them perfectly with no analysis and no start-up.
# pyscene/floor is then the most a full decode could be faster than PySceneDetect here. ffmpeg cannot
# skip VP9's or AV1's loop filter (segments decodes those with libvpx and dav1d, which can), so on
# VP9 and AV1 files the floor keeps the filter and segments may come in below it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${RUNS:-3}
source bench/lib.sh
RUNS=$ROUNDS
OUT=bench/out/segments
mkdir -p "$OUT"
# PIXSIM_BIN=… times a binary built before (a copy, so that a build meanwhile cannot change it).
if [ -n "${PIXSIM_BIN:-}" ]; then BIN=$PIXSIM_BIN; else bash scripts/build-release.sh >/dev/null; BIN=.build/release/pixsim-media; fi
python3 -c "import scenedetect, cv2" 2>/dev/null || pip install --quiet "scenedetect==0.7.*" opencv-python-headless

# Runs `ffmpeg ARGS... OUT/NAME` unless that file is there already, and prints its path.
made_once() {  # name ffmpeg-args...
  local name=$1; shift
  local file=$OUT/$name
  [ -s "$file" ] || ffmpeg -hide_banner -loglevel error -nostdin -y "$@" "$file"
  echo "$file"
}
# ~24 s clips with a cut every 4 s (six different sources), made once.
make_clip() {  # name size codec-args...
  local name=$1 size=$2; shift 2
  made_once "$name" \
    -f lavfi -i "testsrc2=size=$size:rate=30:duration=4" -f lavfi -i "mandelbrot=size=$size:rate=30,trim=duration=4" \
    -f lavfi -i "smptehdbars=size=$size:rate=30:duration=4" -f lavfi -i "life=size=$size:rate=30:mold=10:ratio=0.3,trim=duration=4" \
    -f lavfi -i "testsrc=size=$size:rate=30:duration=4" -f lavfi -i "cellauto=size=$size:rate=30:rule=110,trim=duration=4" \
    -filter_complex "[0][1][2][3][4][5]concat=n=6:v=1:a=0,format=yuv420p" "$@"
}
CLIPS=(
  "$(make_clip h264-720p.mp4 1280x720 -c:v libx264 -preset fast -b:v 4M)"
  "$(make_clip h264-1080p.mp4 1920x1080 -c:v libx264 -preset fast -b:v 8M)"
  "$(make_clip hevc-540p.mp4 960x540 -c:v libx265 -preset fast -b:v 2M -x265-params log-level=error)"
)
# 5 s single shots of one GOP each, as a generation service delivers them: no keyframe to split the
# decode at, so they are decoded in one pass on the decoder's frame threads. Made once.
make_shot() {  # name source codec-args...
  local name=$1 source=$2; shift 2
  made_once "$name" -f lavfi -i "$source" -vf format=yuv420p "$@"
}
CLIPS+=(
  "$(make_shot shot-h264-1080p.mp4 "mandelbrot=size=1920x1080:rate=30,trim=duration=5" -c:v libx264 -preset fast -b:v 8M -g 300)"
  "$(make_shot shot-hevc-1080p.mp4 "testsrc2=size=1920x1080:rate=30:duration=5" -c:v libx265 -preset fast -b:v 4M -x265-params log-level=error:keyint=300)"
  "$(make_shot shot-vp9-720p.webm "mandelbrot=size=1280x720:rate=30,trim=duration=5" -c:v libvpx-vp9 -b:v 3M -g 300 -deadline realtime -cpu-used 8 -row-mt 1)"
  "$(SVT_LOG=1 make_shot shot-av1-1080p.mp4 "mandelbrot=size=1920x1080:rate=30,trim=duration=5" -c:v libsvtav1 -preset 10 -b:v 4M -g 300)"
)
CORPUS=../shared/corpus
for f in PySceneDetect/issue-134-rotate.mp4 PySceneDetect/issue-195-aspect-ratio.mp4 mediabunny/video-h265.mp4 ffmpeg-concat/0.mp4 PySceneDetect/fades.mp4 \
         mediabunny/annex-b-avc.mkv; do
  [ -s "$CORPUS/$f" ] && CLIPS+=("$CORPUS/$f")
done
# The real-footage files of bench/shots.sh, when it has made them.
for f in bench/out/shots/seed-13/spliced-*.mp4 bench/out/shots/seed-13/spliced-*.webm; do
  [ -s "$f" ] && CLIPS+=("$f")
done

now() { date +%s.%N; }
# Seconds one run of CMD... takes (output discarded).
timed() {
  local t0 t1
  t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now)
  echo "$t1 - $t0" | bc -l
}

# Each round runs the four contenders on a file one after the other (in turn in either order), so
# that all of a round meet the same load of this shared machine; the ratios are taken round by round
# and their median printed beside the best time of each.
CORES=$(nproc)
printf '%-40s %9s %9s %9s %9s %10s %12s %13s\n' file ours ffmpeg pyscene floor ours/ffm pyscene/ours pyscene/floor
SUM_OURS=0; SUM_FFMPEG=0; SUM_PYSCENE=0
for f in "${CLIPS[@]}"; do
  OURS=(); FFMPEG=(); PYSCENE=(); ONE_THREAD=(); TO_FFMPEG=(); PYSCENE_OVER=(); PYSCENE_FLOOR=()
  for round in $(seq "$RUNS"); do
    contenders=(ours ffmpeg pyscene one)
    [ $((round % 2)) = 0 ] && contenders=(one pyscene ffmpeg ours)
    for who in "${contenders[@]}"; do
      case $who in
        ours) o=$(timed "$BIN" segments "$f" --json) ;;
        ffmpeg) m=$(timed ffmpeg -hide_banner -loglevel error -nostdin -i "$f" -an -f null -) ;;
        pyscene) p=$(timed scenedetect -q -i "$f" -o "$OUT" detect-content) ;;
        one) t=$(timed ffmpeg -hide_banner -loglevel error -nostdin -threads 1 -skip_loop_filter all -i "$f" -an -f null -) ;;
      esac
    done
    OURS+=("$o"); FFMPEG+=("$m"); PYSCENE+=("$p"); ONE_THREAD+=("$t")
    TO_FFMPEG+=("$(echo "$o / $m" | bc -l)"); PYSCENE_OVER+=("$(echo "$p / $o" | bc -l)")
    PYSCENE_FLOOR+=("$(echo "$p * $CORES / $t" | bc -l)")
  done
  best() { printf '%s\n' "$@" | sort -g | head -1; }
  B_OURS=$(best "${OURS[@]}"); B_FFMPEG=$(best "${FFMPEG[@]}"); B_PYSCENE=$(best "${PYSCENE[@]}")
  FLOOR=$(echo "$(best "${ONE_THREAD[@]}") / $CORES" | bc -l)
  SUM_OURS=$(echo "$SUM_OURS + $B_OURS" | bc -l); SUM_FFMPEG=$(echo "$SUM_FFMPEG + $B_FFMPEG" | bc -l); SUM_PYSCENE=$(echo "$SUM_PYSCENE + $B_PYSCENE" | bc -l)
  printf '%-40s %8.3fs %8.3fs %8.3fs %8.3fs %9.2fx %11.2fx %12.2fx\n' "$(basename "$f")" "$B_OURS" "$B_FFMPEG" "$B_PYSCENE" "$FLOOR" \
    "$(median "${TO_FFMPEG[@]}")" "$(median "${PYSCENE_OVER[@]}")" "$(median "${PYSCENE_FLOOR[@]}")"
done
printf 'total (best times): segments %.2f s, ffmpeg decode %.2f s (ratio %.2fx, goal <= 0.9x), PySceneDetect %.2f s (%.1fx faster, goal >= 2x)\n' \
  "$SUM_OURS" "$SUM_FFMPEG" "$(echo "$SUM_OURS / $SUM_FFMPEG" | bc -l)" "$SUM_PYSCENE" "$(echo "$SUM_PYSCENE / $SUM_OURS" | bc -l)"
