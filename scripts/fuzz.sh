#!/usr/bin/env bash
# libFuzzer over probe+decode and manifest parsing (issue 15). Not part of CI.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 1800)
# Builds the fuzz targets with -sanitize=fuzzer,address into .build/fuzz, seeds
# them with the samples and ../shared/corpus, runs each at low priority, and
# keeps crashes in fuzz/crashes/<target>/. Figures: fuzz/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-1800}"
export PIXSIM_FUZZ=1
flags=(-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --build-path .build/fuzz)
nice -n 19 swift build "${flags[@]}" --product FuzzMedia
nice -n 19 swift build "${flags[@]}" --product FuzzManifest
bin=.build/fuzz/debug
mkdir -p fuzz/seeds/media fuzz/seeds/manifest fuzz/crashes/FuzzMedia fuzz/crashes/FuzzManifest fuzz/work/media fuzz/work/manifest
# Seeds: small media files (libFuzzer caps inputs at -max_len) and every manifest-shaped JSON.
find samples ../shared/corpus -type f -size -300k \( -name '*.mp4' -o -name '*.mov' -o -name '*.mkv' -o -name '*.webm' \
  -o -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.ts' -o -name '*.avi' -o -name '*.y4m' -o -name '*.mp3' \) \
  2>/dev/null | head -200 | while read -r f; do cp "$f" "fuzz/seeds/media/$(sha1sum "$f" | cut -c1-16)"; done
find samples ../shared/corpus -type f -name '*.json' -size -64k 2>/dev/null | head -200 | \
  while read -r f; do cp "$f" "fuzz/seeds/manifest/$(sha1sum "$f" | cut -c1-16)"; done
run() {
  local target=$1 work=$2 seeds=$3; shift 3
  nice -n 19 "$bin/$target" "$work" "$seeds" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="fuzz/crashes/$target/" -print_final_stats=1 "$@" 2>&1 | tee "fuzz/$target.log" | grep -E '^#[0-9]+.*(pulse|DONE)|ERROR|SUMMARY|stat::' || true
}
run FuzzMedia fuzz/work/media fuzz/seeds/media -max_len=300000
run FuzzManifest fuzz/work/manifest fuzz/seeds/manifest -max_len=8192 -dict=scripts/fuzz-json.dict
