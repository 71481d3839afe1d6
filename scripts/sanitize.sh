#!/usr/bin/env bash
# The test suite under AddressSanitizer, and the concurrent parts (chunked
# analysis, batch, watch) under ThreadSanitizer (issue 15). Not part of CI.
#   bash scripts/sanitize.sh [address|thread|both]   (default both)
# Each sanitizer builds into its own .build/<name> folder; reports go to
# sanitize/<name>.log, and the summary lines are printed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
mkdir -p sanitize
status=0
if [[ $which == address || $which == both ]]; then
  nice -n 19 swift build --build-tests -Xswiftc -sanitize=address --build-path .build/asan || exit 1
  ASAN_OPTIONS=detect_leaks=1:halt_on_error=0 nice -n 19 swift test --skip-build --build-path .build/asan \
    -Xswiftc -sanitize=address 2>&1 | tee sanitize/address.log | tail -3 || status=1
fi
if [[ $which == thread || $which == both ]]; then
  nice -n 19 swift build --build-tests -Xswiftc -sanitize=thread --build-path .build/tsan || exit 1
  TSAN_OPTIONS=halt_on_error=0 nice -n 19 swift test --skip-build --build-path .build/tsan \
    --filter 'AnalysisChunked|Batch|Watch|SharedPass|ProcessSafety' 2>&1 | tee sanitize/thread.log | tail -3 || status=1
fi
for log in sanitize/*.log; do
  echo "$log: $(grep -c 'ERROR: AddressSanitizer\|WARNING: ThreadSanitizer\|ERROR: LeakSanitizer' "$log") sanitizer reports"
done
exit $status
