#!/usr/bin/env bash
# Installs what the whole test suite needs: the npm workspace (built by its `prepare` script), WebTorrent for the
# interop tests (in a folder of its own, without install scripts: one of its dependencies downloads a WebRTC binary
# at install time, which we neither need nor can fetch), and the real BitTorrent clients from Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(python3-libtorrent transmission-cli transmission-daemon aria2 opentracker mktorrent)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
if [ -f interop/webtorrent/package-lock.json ]; then
  npm ci --prefix interop/webtorrent --ignore-scripts --no-audit --no-fund
fi
