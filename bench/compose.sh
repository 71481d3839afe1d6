#!/usr/bin/env bash
# Benchmark of `compose --timeline` (issue 11, Speed): 20 items from 720p
# H.264 sources (30 fps, a keyframe every second, B-frames, AAC) with 5
# crossfades, against a full re-encode of the same output by the ffmpeg
# command line (libx264 with our preset and CRF: medium, 18; by default ffmpeg
# re-encodes the composed file, COMPOSE_ANCHOR=graph renders the timeline as one
# xfade/concat filter graph instead; see anchor() below), in the same run.
# Goal: ours <= 0.25x the anchor, frame-exact: every copied stretch
# bit-identical to its source frames (framemd5), the frame count the
# timeline's (sum of items less the crossfades' frames).
#
# The output becomes a library asset; the timing runs `--stages probe`, so the
# analysis of the new asset (which `compose` runs by default) is not counted:
# it is the same whatever made the file.
#
# Usage: bench/compose.sh   (COMPOSE_ITEM_SECONDS=30 by default: a 10-minute
# timeline; BENCH_RUNS=1 by default, each side runs that many times, median kept)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
RUNS="${BENCH_RUNS:-1}"
PIXSIM="${PIXSIM_BIN:-$PIXSIM}"   # another build of pixsim-media, e.g. .build/debug/pixsim-media
ITEM="${COMPOSE_ITEM_SECONDS:-30}"
ITEMS=20
FPS=30
FADE=15          # frames of each crossfade
SOURCES=4
SOURCE_SECONDS=$((ITEM + 10))
[ -x "$PIXSIM" ] || { echo "missing $PIXSIM: run bash scripts/build-release.sh" >&2; exit 1; }
WORK="$(mktemp -d /tmp/pixsim-bench-compose.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
FF=(ffmpeg -hide_banner -loglevel error -nostdin -y)

for s in $(seq 1 $SOURCES); do
  "${FF[@]}" -f lavfi -i "testsrc2=size=1280x720:rate=$FPS:duration=$SOURCE_SECONDS" \
    -f lavfi -i "sine=frequency=$((300 + s * 100)):sample_rate=48000:duration=$SOURCE_SECONDS" \
    -vf "hue=h=$((s * 70))" -c:v libx264 -preset veryfast -crf 20 -g $FPS -bf 3 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -shortest "$WORK/src$s.mp4"
done
LIB="$WORK/lib"
"$PIXSIM" ingest --library "$LIB" --stages probe -q "$WORK"/src*.mp4

# The timeline: item k takes source (k mod 4) from a start that varies between keyframes; every 4th join is a crossfade.
python3 - "$WORK" "$ITEMS" "$ITEM" "$FADE" "$SOURCES" <<'PY'
import json, sys
work, items, length, fade, sources = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
timeline, anchor = [], []
for k in range(items):
    start = round(1 + (k * 0.37) % 8, 2)
    item = {"asset": k % sources + 1, "start": start, "end": start + length}
    if k % 4 == 1:
        item["transition_in"] = {"type": "crossfade", "frames": fade}
    timeline.append(item)
json.dump({"items": timeline}, open(f"{work}/timeline.json", "w"))
# The same timeline as one ffmpeg command: inputs cut by -ss/-t, xfade/acrossfade at crossfades, concat at cuts.
args, graph = [], []
fps = 30
total = 0.0
for k, item in enumerate(timeline):
    args += ["-ss", str(item["start"]), "-t", str(length), "-i", f"{work}/src{item['asset']}.mp4"]
    graph.append(f"[{k}:v]settb=1/{fps},setpts=N/TB,fps={fps}[v{k}];[{k}:a]aresample=48000,atrim=0:{length},asetpts=N/SR/TB[a{k}]")
cur_v, cur_a = "v0", "a0"
total = length
for k in range(1, len(timeline)):
    t = timeline[k].get("transition_in")
    if t:
        d = t["frames"] / fps
        graph.append(f"[{cur_v}][v{k}]xfade=transition=fade:duration={d}:offset={total - d}[x{k}];"
                     f"[{cur_a}][a{k}]acrossfade=d={d}[y{k}]")
        total += length - d
    else:
        graph.append(f"[{cur_v}][{cur_a}][v{k}][a{k}]concat=n=2:v=1:a=1[c{k}][y{k}];[c{k}]settb=1/{fps}[x{k}]")
        total += length
    cur_v, cur_a = f"x{k}", f"y{k}"
open(f"{work}/anchor.args", "w").write("\n".join(args + ["-filter_complex", ";".join(graph), "-map", f"[{cur_v}]", "-map", f"[{cur_a}]"]))
PY
mapfile -t ANCHOR_ARGS < "$WORK/anchor.args"

compose() {
  rm -f "$WORK/ours.mp4"
  "$PIXSIM" compose --library "$LIB" --stages probe --timeline "$WORK/timeline.json" -o "$WORK/ours.mp4" --json > "$WORK/ours.json"
}
# The anchor. COMPOSE_ANCHOR=graph: the timeline as one ffmpeg filter graph (the xfade/concat command above).
# Default (reencode): ffmpeg re-encoding the composed output itself with the same settings, which decodes
# and encodes every output frame once, the least any full re-encode of the timeline does (the graph also
# decodes from the keyframe before each item's start and runs the xfade filters), so the ratio it gives
# is the less flattering one. Why not the graph by default: ffmpeg 5.1 does not finish it for a 10-minute
# timeline here (20 inputs of 30 s: 10.7 GB resident, then no progress after 13 minutes of CPU); it does
# for short ones (COMPOSE_ITEM_SECONDS=6).
anchor() {
  if [ "${COMPOSE_ANCHOR:-reencode}" = graph ]; then
    "${FF[@]}" "${ANCHOR_ARGS[@]}" -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k "$WORK/ffmpeg.mp4"
  else
    "${FF[@]}" -i "$WORK/ours.mp4" -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -c:a aac -b:a 128k "$WORK/ffmpeg.mp4"
  fi
}
ours=$(median_time compose)
compose   # the re-encode anchor reads the composed output
theirs=$(median_time anchor)
report "compose --timeline ($ITEMS x ${ITEM}s, 5 xfades)" "$ours" "ffmpeg ${COMPOSE_ANCHOR:-reencode} x264" "$theirs" "0.25x"

# Frame-exactness: frame count, and every copied stretch against its source (framemd5 of decoded frames).
python3 - "$WORK" "$ITEMS" "$ITEM" "$FADE" <<'PY'
import json, subprocess, sys
work, items, length, fade = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
def md5s(path):
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-f", "framemd5", "-"], capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if line and not line.startswith("#")]
render = json.load(open(f"{work}/ours.json"))["render"]
timeline = json.load(open(f"{work}/timeline.json"))["items"]
expected = sum(round(length * 30) for _ in timeline) - sum(i.get("transition_in", {}).get("frames", 0) for i in timeline)
out = md5s(f"{work}/ours.mp4")
sources = {}
bad, copied = 0, 0
for item, placed in zip(timeline, render["items"]):
    src = sources.setdefault(item["asset"], md5s(f"{work}/src{item['asset']}.mp4"))
    for lo, hi in placed["copied_ranges"]:
        off = placed["source_start_frame"] + lo - placed["record_start_frame"]
        copied += hi - lo
        if out[lo:hi] != src[off:off + hi - lo]:
            bad += 1
print(f"frames: {len(out)} (timeline {expected}); copied {copied}, re-encoded {render['reencoded_frames']}; "
      f"copied stretches differing from their sources: {bad}")
sys.exit(0 if bad == 0 and len(out) == expected else 1)
PY
