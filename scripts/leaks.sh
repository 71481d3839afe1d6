#!/usr/bin/env bash
# Leaks and memory over a long `batch` (issue 15). Not part of CI: it takes tens of minutes.
#   bash scripts/leaks.sh [VALGRIND_FILES] [LSAN_FILES] [RSS_FILES]   (default 50 200 2000; 0 skips that part)
# 1. valgrind --leak-check=full over `batch` of VALGRIND_FILES clips (the debug binary);
# 2. LeakSanitizer over `batch` of LSAN_FILES clips (the binary of `make sanitize`'s address build,
#    .build/asan; skipped when it is not built), with scripts/lsan.supp;
# 3. the resident set of `batch` sampled every half second over RSS_FILES clips (the debug binary),
#    printed at every 100th file: flat means no growth from file 200 to the last.
# Clips: small distinct H.264 + AAC files made with ffmpeg (testsrc2, 40 seeds of sizes, lengths and tones),
# then copies that differ in a trailing `free` box, so every file is a new asset. Logs and figures: leaks/.
set -uo pipefail
cd "$(dirname "$0")/.."
valgrind_files="${1:-50}" lsan_files="${2:-200}" rss_files="${3:-2000}"
out=leaks
mkdir -p "$out"
work=$(mktemp -d /tmp/pixsim-leaks.XXXXXX)
trap 'rm -rf "$work"' EXIT
debug_bin=${DEBUG_BIN:-.build/debug/pixsim-media}
asan_bin=${ASAN_BIN:-.build/asan/debug/pixsim-media}
if (( valgrind_files + rss_files > 0 )) && [[ ! -x $debug_bin ]]; then nice -n 19 swift build --product pixsim-media || exit 1; fi

# The clips: 40 encoded ones, then stream copies tagged with their number.
largest=$(( valgrind_files > lsan_files ? valgrind_files : lsan_files ))
largest=$(( rss_files > largest ? rss_files : largest ))
mkdir -p "$work/base" "$work/all"
for seed in $(seq 0 39); do
  width=$(( 96 + (seed % 4) * 32 )) height=$(( 64 + (seed % 3) * 24 ))
  seconds=$(awk "BEGIN { print 0.6 + ($seed % 5) * 0.2 }")
  nice -n 19 ffmpeg -v error -nostdin -f lavfi -i "testsrc2=size=${width}x${height}:rate=25:duration=$seconds" \
    -f lavfi -i "sine=frequency=$(( 200 + seed * 10 )):sample_rate=48000:duration=$seconds" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 32k -shortest "$work/base/$seed.mp4" || exit 1
done
# Each copy ends with an MP4 `free` box holding its number: valid media, bytes of its own, made at once.
python3 - "$work" "$largest" <<'PYTHON' || exit 1
import struct, sys
work, count = sys.argv[1], int(sys.argv[2])
bases = [open(f"{work}/base/{seed}.mp4", "rb").read() for seed in range(40)]
for n in range(1, count + 1):
    with open(f"{work}/all/{n:05d}.mp4", "wb") as out:
        out.write(bases[n % 40] + struct.pack(">I", 16) + b"free" + struct.pack(">Q", n))
PYTHON
subset() {  # subset N: a folder with the first N clips
  local folder="$work/first$1"
  mkdir -p "$folder"
  ls "$work/all" | head -n "$1" | while read -r name; do ln -s "$work/all/$name" "$folder/$name"; done
  echo "$folder"
}

if (( valgrind_files > 0 )); then
echo "== valgrind: batch of $valgrind_files files"
folder=$(subset "$valgrind_files")
start=$SECONDS
# valgrind 3.19 cannot read the DWARF 5 of a Swift 6.3 debug build ("Possibly corrupted debuginfo file"):
# it runs a copy without debug info (function names stay, from the symbol table). With valgrind 3.19 on
# this toolchain that copy still dies inside valgrind (SIGSEGV in memcheck while libdispatch's main thread
# waits in sigsuspend); then LeakSanitizer below is the leak check.
objcopy --strip-debug "$debug_bin" "$work/pixsim-media-nodebug"
nice -n 19 valgrind --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --num-callers=30 --log-file="$out/valgrind.log" \
  "$work/pixsim-media-nodebug" batch "$folder" --library "$work/library-valgrind" --jobs 2 --quiet
echo "exit $?, $(( SECONDS - start )) s"
grep -E 'definitely lost|indirectly lost|possibly lost|ERROR SUMMARY' "$out/valgrind.log"
fi

if (( lsan_files > 0 )); then
echo "== LeakSanitizer: batch of $lsan_files files"
if [[ -x $asan_bin ]]; then
  folder=$(subset "$lsan_files")
  start=$SECONDS
  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=1" \
    nice -n 19 "$asan_bin" batch "$folder" --library "$work/library-lsan" --jobs 2 --quiet 2> "$out/lsan.log"
  echo "exit $?, $(( SECONDS - start )) s"
  echo "$(grep -c '^Direct leak' "$out/lsan.log") direct, $(grep -c '^Indirect leak' "$out/lsan.log") indirect leak reports"
  grep -E 'SUMMARY|^ *[0-9]+ +[0-9]+ ' "$out/lsan.log" || true
else
  echo "skipped: $asan_bin is not built (bash scripts/sanitize.sh address builds it)"
fi
fi

(( rss_files > 0 )) || exit 0
echo "== resident memory: batch of $rss_files files"
folder="$work/all"
[[ $rss_files -lt $largest ]] && folder=$(subset "$rss_files")
start=$SECONDS
nice -n 19 "$debug_bin" batch "$folder" --library "$work/library-rss" --jobs 2 --quiet &
pid=$!
: > "$out/rss.tsv"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
  done_count=$(sqlite3 "file:$work/library-rss/library.sqlite?mode=ro" \
    "SELECT count(*) FROM pipeline_runs WHERE finished_at IS NOT NULL" 2>/dev/null)
  [[ -n $rss && -n $done_count ]] && printf '%s\t%s\t%s\n' "$(( SECONDS - start ))" "$done_count" "$rss" >> "$out/rss.tsv"
  sleep 0.5
done
wait "$pid"
echo "exit $?, $(( SECONDS - start )) s"
# The largest resident set seen up to each 100th file.
awk -F'\t' '{ if ($3 > max) max = $3; while ($2 >= next_mark + 100) { next_mark += 100; printf "files %5d: max RSS %d KiB\n", next_mark, max } }
  END { printf "end (%d files): max RSS %d KiB\n", $2, max }' next_mark=0 "$out/rss.tsv" | tee "$out/rss-summary.txt"
