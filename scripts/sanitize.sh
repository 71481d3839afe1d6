#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer), and the concurrent parts (chunked
# analysis, batch, watch) under ThreadSanitizer (issue 15). Not part of CI.
#   bash scripts/sanitize.sh [address|thread|both] [FILTER]   (default both; FILTER narrows the address run)
# Each sanitizer builds into its own folder (.build/asan, .build/tsan). Every process of the run (the
# test process and each pixsim-media the tests start) writes its reports to sanitize/<name>/<pid>
# files, so a report of a child process is never lost in a test's captured stderr. The summary counts
# the reports of each kind; scripts/lsan.supp says which leak reports are libraries' and why.
set -uo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
filter="${2:-}"
mkdir -p sanitize
status=0
count_reports() {  # count_reports NAME: the reports in sanitize/NAME/*
  local folder=sanitize/$1
  local errors leaks races
  errors=$(cat "$folder"/* 2>/dev/null | grep -c 'ERROR: AddressSanitizer')
  leaks=$(cat "$folder"/* 2>/dev/null | grep -c '^Direct leak\|^Indirect leak')
  races=$(cat "$folder"/* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer')
  echo "$1: $errors AddressSanitizer errors, $leaks leak reports, $races ThreadSanitizer warnings" \
    "(in $(ls "$folder" | wc -l) report files)"
  [[ $errors == 0 && $leaks == 0 && $races == 0 ]]
}
if [[ $which == address || $which == both ]]; then
  nice -n 19 swift build --build-tests --sanitize=address --build-path .build/asan || exit 1
  rm -rf sanitize/address && mkdir -p sanitize/address
  start=$SECONDS
  ASAN_OPTIONS="detect_leaks=1:log_path=$PWD/sanitize/address/report" \
    LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0" \
    nice -n 19 swift test --skip-build --sanitize=address --build-path .build/asan ${filter:+--filter "$filter"} \
    > sanitize/address.log 2>&1 || status=1
  echo "address: swift test exit $status, $(( SECONDS - start )) s; $(grep -E '^.* Test run with [0-9]+ tests' sanitize/address.log | tail -1)"
  count_reports address || status=1
fi
if [[ $which == thread || $which == both ]]; then
  nice -n 19 swift build --build-tests --sanitize=thread --build-path .build/tsan || exit 1
  rm -rf sanitize/thread && mkdir -p sanitize/thread
  start=$SECONDS
  TSAN_OPTIONS="halt_on_error=0:log_path=$PWD/sanitize/thread/report" \
    nice -n 19 swift test --skip-build --sanitize=thread --build-path .build/tsan \
    --filter 'AnalysisChunked|SharedPass|SamplesPipeline|EveryInputReported|ProcessSafety|Watch|[Bb]atch' > sanitize/thread.log 2>&1 || status=1
  echo "thread: swift test exit $status, $(( SECONDS - start )) s; $(grep -E '^.* Test run with [0-9]+ tests' sanitize/thread.log | tail -1)"
  count_reports thread || status=1
fi
exit $status
