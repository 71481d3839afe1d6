#!/usr/bin/env bash
# Transitions an editor offers, beyond the cuts, dissolves and fades that bench/shots.sh splices: for
# each kind of ffmpeg's xfade (wipes, irises, slides, blurs...), eight pairs of single shots of the
# corpus's real footage (bench/shots/splice.py's shots, most of them moving) joined by a one-second
# transition, 640x360 at 25 fps, H.264, covers and reveals made with overlay, flash cuts (two white
# frames between the shots) and zoom cuts (the old shot zooming in to twice its size over its last six
# frames, cut to the new one zooming back out over its first six). The transition spans frames [50, 75).
# Prints per kind how many of the eight files get a boundary inside those frames (and of which kinds),
# and how many boundaries fall elsewhere (each one false: the pieces are single shots). fadeblack and
# fadewhite are an editor's dips to black and to white: each should be one `fade`.
# TRANSITIONS="a b" chooses the kinds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
# PIXSIM_BIN=… measures a given build (say so with the figures); default: release.
if [ -n "${PIXSIM_BIN:-}" ]; then PIXSIM="$PIXSIM_BIN"; else bench_build; fi
OUT="$BENCH_OUT/transitions"
mkdir -p "$OUT"
# (first shot, its start in seconds, second shot, its start): 4.4 s of each, inside one shot.
PAIRS=(
  "mp4parser/foreman-hevc-384.mp4 1 moviepy/big_buck_bunny_0_30.webm 3"
  "PySceneDetect/issue-134-rotate.mp4 0.2 mediabunny/video-h265.mp4 2"
  "moviepy/chaplin.mp4 2 PySceneDetect/issue-134-rotate.mp4 4"
  "moviepy/big_buck_bunny_0_30.webm 16 mp4parser/foreman-hevc-384.mp4 5"
  "PySceneDetect/issue-195-aspect-ratio.mp4 7 moviepy/big_buck_bunny_0_30.webm 24"
  "mediabunny/video-h265.mp4 5 PySceneDetect/issue-195-aspect-ratio.mp4 12.2"
  "streamio-ffmpeg/awesome_movie.mov 0 moviepy/chaplin.mp4 5"
  "PySceneDetect/issue-134-rotate.mp4 4 moviepy/big_buck_bunny_0_30.webm 16.5"
)
KINDS=${TRANSITIONS:-"flash zoomcut fade fadeblack fadewhite dissolve fadegrays pixelize hblur circleopen horzopen smoothleft wipeleft wipeup radial squeezeh slideleft slideup slideright slidedown coverleft coverup revealleft revealup"}
PREP="scale=640:360,setsar=1,fps=25,format=yuv420p"
# The filter graph of a transition: xfade's, or for a cover (the new shot slides in over the old one held
# still, from the right or from below) or a reveal (the old one slides away, left or up, off the new one
# held still), which FFmpeg 5.1's xfade lacks, the sliding shot laid over the other with overlay.
graph() {  # kind
  local x="[0]$PREP,trim=duration=4.4,setpts=PTS-STARTPTS" y="[1]$PREP,trim=duration=4.4,setpts=PTS-STARTPTS"
  case $1 in
    cover*)
      local at; [ "$1" = coverleft ] && at="x='W-W*(t-2)':y=0" || at="x=0:y='H-H*(t-2)'"
      echo "$x,trim=duration=3[xa];$y,split[y1][y2];[y1]trim=start=1,setpts=PTS-STARTPTS,trim=duration=2.4[yb];[xa][yb]concat=n=2:v=1:a=0[base];[y2]trim=duration=1,setpts=PTS+2/TB[top];[base][top]overlay=$at:enable='between(t,2,2.999)':eof_action=pass" ;;
    reveal*)
      local at; [ "$1" = revealleft ] && at="x='-W*(t-2)':y=0" || at="x=0:y='-H*(t-2)'"
      echo "$x,split[x1][x2];[x1]trim=duration=2[xa];$y,trim=duration=3.4[yb];[xa][yb]concat=n=2:v=1:a=0[base];[x2]trim=start=2:duration=1[top];[base][top]overlay=$at:enable='between(t,2,2.999)':eof_action=pass" ;;
    zoomcut)
      local grow="1+max(0,(t-1.76)/0.24)" shrink="2-min(1,t/0.24)"
      echo "$x,trim=duration=2,scale=w='2*trunc(320*($grow))':h='2*trunc(180*($grow))':eval=frame,crop=640:360,setsar=1[xa];$y,trim=duration=2.4,scale=w='2*trunc(320*($shrink))':h='2*trunc(180*($shrink))':eval=frame,crop=640:360,setsar=1[yb];[xa][yb]concat=n=2:v=1:a=0" ;;
    flash)
      echo "$x,trim=duration=2[xa];color=white:s=640x360:r=25:d=0.08,format=yuv420p[w];$y,trim=duration=2.4[yb];[xa][w][yb]concat=n=3:v=1:a=0" ;;
    *)
      echo "[0]$PREP,trim=duration=4.4[x];[1]$PREP,trim=duration=4.4[y];[x][y]xfade=transition=$1:duration=1:offset=2" ;;
  esac
}
printf '%-12s %6s %-28s %s\n' kind found "as" "elsewhere"
for kind in $KINDS; do
  files=()
  n=0
  for pair in "${PAIRS[@]}"; do
    read -r first firstStart second secondStart <<< "$pair"
    file="$OUT/$kind-$n.mp4"
    [ -s "$file" ] || ffmpeg -nostdin -hide_banner -loglevel error -y -ss "$firstStart" -t 4.5 -i "$CORPUS/$first" \
      -ss "$secondStart" -t 4.5 -i "$CORPUS/$second" -filter_complex "$(graph "$kind")" \
      -an -c:v libx264 -preset veryfast -crf 20 "$file"
    files+=("$file")
    n=$((n + 1))
  done
  python3 - "$PIXSIM" "$kind" "${files[@]}" <<'PY'
import json, subprocess, sys
binary, kind, files = sys.argv[1], sys.argv[2], sys.argv[3:]
found, kinds, elsewhere = 0, {}, 0
for path in files:
    out = subprocess.run([binary, "segments", path, "--json"], check=True, capture_output=True, text=True).stdout
    boundaries = json.loads(out)["segments"][1:]
    inside = [b for b in boundaries if 50 <= b["start_frame"] < 75]
    elsewhere += len(boundaries) - len(inside)
    if inside:
        found += 1
        kinds[inside[0]["transition_in"]] = kinds.get(inside[0]["transition_in"], 0) + 1
described = " ".join(k + " " + str(v) for k, v in sorted(kinds.items()))
print(f"{kind:12} {found:>4}/{len(files)} {described:28} {elsewhere}")
PY
done
