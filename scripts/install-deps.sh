#!/usr/bin/env bash
# Installs the Debian packages AugLab builds against (run as root, or it uses sudo).
# libpng, libjpeg-turbo: image codecs. OpenBLAS: GEMM. libcrypto: SHA-256 for provenance.
# zlib: gunzips the CLIP tokenizer's vocabulary.
# chromium (+ a font): the report tests open report.html in headless Chromium through the DevTools protocol.
set -euo pipefail
packages=(libpng-dev libjpeg-dev libopenblas-dev libssl-dev zlib1g-dev pkg-config chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present (${packages[*]})"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
