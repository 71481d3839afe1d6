#!/usr/bin/env bash
# The test suite under AddressSanitizer (with LeakSanitizer), and the concurrent parts (chunked
# analysis, batch, watch) under ThreadSanitizer (issue 15). Not part of CI.
#   bash scripts/sanitize.sh [address|thread|both] [FILTER]   (default both; FILTER narrows the address run)
# Each sanitizer builds into its own folder (.build/asan, .build/tsan). Every process of the run (the
# test process and each pixsim-media the tests start) writes its reports to sanitize/<name>/<pid>
# files, so a report of a child process is never lost in a test's captured stderr. The summary counts
# the reports of each kind; scripts/lsan.supp says which leak reports are libraries' and why. A leak
# report does not change a process's exit status (exitcode=0): leaks are counted from the report files,
# and a test must not fail because the pixsim-media it started leaked in a library at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
filter="${2:-}"
mkdir -p sanitize
status=0
count_reports() {  # count_reports NAME: the reports in sanitize/NAME/*, and those with our code on their stack
  local folder=sanitize/$1
  cat "$folder"/* 2>/dev/null | awk -v ours="$PWD/Sources/" -v name="$1" '
    function close_block() { if (kind != "") { count[kind]++; if (mine) own[kind]++ } kind = ""; mine = 0 }
    /ERROR: AddressSanitizer/ { close_block(); kind = "AddressSanitizer errors" }
    /^(Direct|Indirect) leak/ { close_block(); kind = "leak reports" }
    /WARNING: ThreadSanitizer/ { close_block(); kind = "ThreadSanitizer warnings" }
    /^SUMMARY/ { close_block() }
    index($0, ours) { mine = 1 }
    END {
      close_block()
      split("AddressSanitizer errors,leak reports,ThreadSanitizer warnings", kinds, ",")
      line = name ":"; bad = 0
      for (i = 1; i <= 3; i++) { line = line sprintf(" %d %s (%d with our code on the stack);", count[kinds[i]], kinds[i], own[kinds[i]]); bad += count[kinds[i]] }
      print line
      exit bad > 0
    }'
}
if [[ $which == address || $which == both ]]; then
  nice -n 19 swift build --build-tests --sanitize=address --build-path .build/asan || exit 1
  rm -rf sanitize/address && mkdir -p sanitize/address
  start=$SECONDS
  ASAN_OPTIONS="detect_leaks=1:log_path=$PWD/sanitize/address/report" \
    LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0:exitcode=0" \
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
