#!/usr/bin/env bash
# keyframes --count 5 against five `ffmpeg -ss T -i F -frames:v 1 out.jpg` runs (the anchor),
# on a 60 s 720p H.264 clip and on a 12x longer one (seek-based extraction: the cost must not grow with length).
# Goals: >= 5x faster than the anchor; long/short time ratio <= 1.5.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out/keyframes
mkdir -p "$OUT"
bash scripts/build-release.sh >/dev/null
BIN=.build/release/pixsim-media

SHORT=$OUT/short-60s-720p.mp4
LONG=$OUT/long-12min-720p.mp4
if [ ! -s "$SHORT" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=60" \
    -c:v libx264 -preset ultrafast -b:v 2M -pix_fmt yuv420p "$SHORT"
fi
if [ ! -s "$LONG" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=720" \
    -c:v libx264 -preset ultrafast -b:v 1M -pix_fmt yuv420p "$LONG"
fi

now() { date +%s.%N; }
# Best of 5 runs, so that one run slowed by other work on the machine does not decide the ratio.
best_of_5() {
  local best=""
  for _ in 1 2 3 4 5; do
    local t0 t1 elapsed
    t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
    elapsed=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$elapsed < $best" | bc -l)" = 1 ]; then best=$elapsed; fi
  done
  echo "$best"
}

ours() { rm -rf "$OUT/kf"; "$BIN" keyframes "$1" --out "$OUT/kf" --count 5; }
anchor() {
  local file=$1 duration
  duration=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$file")
  for i in 0 1 2 3 4; do
    local t
    t=$(echo "$duration * ($i + 0.5) / 5" | bc -l)
    ffmpeg -hide_banner -loglevel error -nostdin -y -ss "$t" -i "$file" -frames:v 1 "$OUT/anchor_$i.jpg"
  done
}

SHORT_OURS=$(best_of_5 ours "$SHORT")
SHORT_ANCHOR=$(best_of_5 anchor "$SHORT")
LONG_OURS=$(best_of_5 ours "$LONG")
LONG_ANCHOR=$(best_of_5 anchor "$LONG")

printf 'keyframes --count 5, 60 s 720p:   pixsim-media %.3f s, 5x ffmpeg -ss %.3f s, speed-up %.1fx (goal >= 5x)\n' \
  "$SHORT_OURS" "$SHORT_ANCHOR" "$(echo "$SHORT_ANCHOR / $SHORT_OURS" | bc -l)"
printf 'keyframes --count 5, 12 min 720p: pixsim-media %.3f s, 5x ffmpeg -ss %.3f s, speed-up %.1fx\n' \
  "$LONG_OURS" "$LONG_ANCHOR" "$(echo "$LONG_ANCHOR / $LONG_OURS" | bc -l)"
printf 'long / short time ratio: %.2f (goal <= 1.5)\n' "$(echo "$LONG_OURS / $SHORT_OURS" | bc -l)"
