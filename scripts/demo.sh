#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job on the bundled samples.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build-release.sh
bin=.build/release/pixsim-media
echo "== probe: what each sample is"
"$bin" probe --sha256 samples/*.mp4 samples/*.png
echo "== pipeline: the samples into a library (./demo-library), then what it holds"
rm -rf demo-library
"$bin" batch --library demo-library samples
"$bin" assets list --library demo-library
echo "== lineage of the samples' story, from the text-to-video clip"
"$bin" lineage --library demo-library --descendants 1f8e5087
