#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
# Tests that need ../shared/corpus skip (and say so) when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
