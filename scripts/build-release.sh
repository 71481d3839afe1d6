#!/usr/bin/env bash
# The release build of the command as it ships (.build/release/pixsim-media): the Swift runtime and
# Foundation linked into it (--static-swift-stdlib). Resolving their symbols across twenty more shared
# libraries cost the dynamic loader about 25 ms at every start, a sixth of a short clip's whole `segments`
# run; `batch`, the worker and a backend start the command once per clip. Every release build goes through
# here: the same command built without the flag would rebuild everything the other way.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product pixsim-media "$@"
