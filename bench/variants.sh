#!/usr/bin/env bash
# `variants create` (issue 12) against the ffmpeg command line doing the same work, same run:
# - compressed: a 10 s 1080p clip to 720p H.264 (CRF 23, preset medium) + AAC, +faststart, vs ffmpeg with the same
#   encoder settings. Goal <= 1.1x.
# - reframed 9:16: a 10 s 720p clip, a crop window following the subject (analysis pass + re-encode, CRF 20), vs a
#   plain centre-crop re-encode by ffmpeg with the same encoder settings. Goal <= 1.2x.
# Each pixsim run starts from a copy of a library holding only the source (a variant made once is not made
# again), so the times include what the command does: render, hash and store the file, probe it, record the row.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
DIR="$BENCH_OUT/variants"
mkdir -p "$DIR"
SRC1080="$DIR/src-1080p-10s.mp4"
SRC720="$DIR/src-720p-10s.mp4"
if [ ! -s "$SRC1080" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=10" \
    -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=10" -vf "noise=alls=4:allf=t" \
    -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -ac 2 -c:a aac -b:a 192k -shortest "$SRC1080"
fi
if [ ! -s "$SRC720" ]; then
  ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=10" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10" \
    -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -ac 2 -c:a aac -b:a 192k -shortest "$SRC720"
fi
make_base() {  # make_base NAME SOURCE: a library holding only SOURCE
  rm -rf "$DIR/$1"
  "$PIXSIM" ingest --library "$DIR/$1" "$2" --stages probe -q >/dev/null
}
make_base base1080 "$SRC1080"
make_base base720 "$SRC720"
ours() {  # ours BASE ARGS...: one variants create from a fresh copy of BASE
  local base="$1"; shift
  rm -rf "$DIR/run" && cp -r "$DIR/$base" "$DIR/run"
  "$PIXSIM" variants create --library "$DIR/run" 1 "$@" -q
}
# Our AAC is 96 kb/s a channel (192k for stereo): the anchor is told the same.
# The two contenders of each line run in turn (paired_medians), so load that comes and goes hits both.
ours_compressed() { ours base1080 --type compressed; }
ff_compressed() {
  ffmpeg -hide_banner -loglevel error -nostdin -y -i "$SRC1080" -vf "scale=-2:720:flags=bicubic" \
    -c:v libx264 -crf 23 -preset medium -c:a aac -b:a 192k -movflags +faststart "$DIR/ff-compressed.mp4"
}
read -r compressed ffcompressed < <(paired_medians ours_compressed ff_compressed)
report "compressed 1080p->720p (10 s)" "$compressed" "ffmpeg scale+x264 crf23" "$ffcompressed" "<= 1.1x"
ours_reframed() { ours base720 --type reframed --aspect 9:16; }
ff_reframed() {
  ffmpeg -hide_banner -loglevel error -nostdin -y -i "$SRC720" -vf "crop=404:720" \
    -c:v libx264 -crf 20 -preset medium -c:a aac -b:a 192k -movflags +faststart "$DIR/ff-reframed.mp4"
}
read -r reframed ffreframed < <(paired_medians ours_reframed ff_reframed)
report "reframed 9:16 of 720p (10 s)" "$reframed" "ffmpeg centre crop crf20" "$ffreframed" "<= 1.2x"
rm -rf "$DIR/run"
