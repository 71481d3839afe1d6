#!/usr/bin/env bash
# Installs the system packages pixsim-media needs on Debian or Ubuntu, if missing:
# FFmpeg 5.1's libav development files, libvpx's and dav1d's (the analysis decodes VP9 and AV1 with them
# directly, to skip the loop filter), SQLite, libcurl (the release build links Foundation's URLSession
# statically), pkg-config; with --test also the
# ffmpeg command line, which the tests use as an independent oracle (the product
# itself never runs it) and PostgreSQL 15, whose throwaway clusters the PostgreSQL
# engine's tests start; for `serve`'s tests headless Chromium with chromedriver, curl, and from PyPI
# selenium and schemathesis; and OpenTimelineIO from PyPI (with its CMX 3600 adapter), which reads
# `compose --timeline --export` documents back in the tests. With --bench also sqlite3, wrk and nginx.
# The Swift 6 toolchain must already be installed.
set -euo pipefail
packages=(libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev libvpx-dev libdav1d-dev libsqlite3-dev libcurl4-openssl-dev pkg-config make bc)
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then packages+=(ffmpeg postgresql-15 postgresql-client-15 chromium chromium-driver curl python3-pip); fi
if [ "${1:-}" = "--bench" ]; then packages+=(sqlite3 wrk nginx); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: swift: the Swift 6 toolchain is not installed (https://www.swift.org/install/)" >&2; exit 1; }
if [ "${1:-}" = "--test" ]; then
  # serve's browser test (selenium drives Debian's chromedriver), its OpenAPI conformance test, and the
  # timeline exports' reader.
  python3 -c "import selenium, opentimelineio, otio_cmx3600_adapter" 2>/dev/null && command -v schemathesis >/dev/null || {
    echo "installing from PyPI: selenium schemathesis opentimelineio otio-cmx3600-adapter" >&2
    python3 -m pip install -q selenium schemathesis opentimelineio otio-cmx3600-adapter 2>/dev/null \
      || python3 -m pip install -q --break-system-packages selenium schemathesis opentimelineio otio-cmx3600-adapter
  }
fi
