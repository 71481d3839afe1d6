#!/usr/bin/env bash
# `loops` against `segments` on the same 60 s 720p clip, same run (issue 11): loops reuses the analysis pass,
# so its search for seams is all it adds. Goal: loops within 1.1x of segments.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
CLIP="$BENCH_OUT/loops/pan-60s-720p.mp4"
mkdir -p "$(dirname "$CLIP")"
if [ ! -s "$CLIP" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=s=1280x720:d=1" -frames:v 1 "$BENCH_OUT/loops/tile.png"
  # A pan with a 4 s period and a moving overlay: loops exist, and the picture changes every frame.
  ffmpeg -hide_banner -loglevel error -nostdin -y -loop 1 -framerate 30 -i "$BENCH_OUT/loops/tile.png" \
    -vf "scroll=horizontal=0.00833,noise=alls=6:allf=t,format=yuv420p" -r 30 -t 60 \
    -c:v libx264 -preset veryfast -crf 23 -g 60 "$CLIP"
fi
segments=$(median_time "$PIXSIM" segments "$CLIP" --json)
loops=$(median_time "$PIXSIM" loops "$CLIP" --json)
report "loops vs segments (60 s 720p)" "$loops" "segments, same clip" "$segments" "<= 1.1x"
"$PIXSIM" loops "$CLIP" | head -3
