#!/usr/bin/env bash
# probe over the whole corpus in one process, next to PyAV (one Python process:
# av.open and read every stream's parameters) and ffprobe run once per file.
# Goals (issue 2): at most 0.5x PyAV's wall time; at least 20x faster than ffprobe per file.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[ -d "$CORPUS" ] || { echo "probe bench: no corpus at $CORPUS; skipped"; exit 0; }
bench_build
bench_python_deps
mapfile -t FILES < <(find "$CORPUS" -type f ! -path '*/goldens/*' ! -name '*.txt' ! -name '*.md' | sort)
echo "probe: ${#FILES[@]} corpus files, median of $RUNS runs"

cat > "$BENCH_OUT/pyav_probe.py" <<'PY'
import sys, av
for path in sys.argv[1:]:
    try:
        with av.open(path) as container:
            info = [container.format.name, container.duration, container.bit_rate]
            for s in container.streams:
                c = s.codec_context
                info.append((s.type, c.name if c else None, s.frames, s.average_rate, s.time_base,
                             getattr(c, "width", None), getattr(c, "height", None), getattr(c, "pix_fmt", None),
                             getattr(c, "sample_rate", None), getattr(c, "channels", None)))
    except Exception as error:
        print(path, error, file=sys.stderr)
PY
ffprobe_each() { for f in "${FILES[@]}"; do ffprobe -v error -show_format -show_streams -of json "$f"; done; }

ours=$(median_time "$PIXSIM" probe --json "${FILES[@]}")
pyav=$(median_time python3 "$BENCH_OUT/pyav_probe.py" "${FILES[@]}")
ffprobe_time=$(median_time ffprobe_each)
report "probe corpus (one process)" "$ours" "PyAV av.open, one process" "$pyav" "<= 0.5x"
report "probe corpus" "$ours" "ffprobe once per file" "$ffprobe_time" "<= 0.05x (20x faster)"
ours_sha=$(median_time "$PIXSIM" probe --json --sha256 "${FILES[@]}")
report "probe --sha256 corpus" "$ours_sha" "PyAV av.open, one process" "$pyav" "(info)"
