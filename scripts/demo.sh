#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product pixsim-media
bin=.build/release/pixsim-media
echo "== probe: what each sample is"
"$bin" probe --sha256 samples/*.mp4 samples/*.png
