#!/usr/bin/env bash
# The browser test's browser: Debian's Chromium (Playwright's own download needs its CDN).
# Installs it with apt-get when it is missing and this runs as root (or with passwordless sudo);
# otherwise says why not and exits 1, and the test skips with that reason (fails under CI).
set -euo pipefail

for name in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null; then echo "browser: $(command -v "$name")"; exit 0; fi
done
if ! command -v apt-get >/dev/null; then echo "no apt-get here to install chromium with"; exit 1; fi
if [ "$(id -u)" -eq 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else
  echo "installing chromium needs root (apt-get install chromium)"; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -q chromium >/dev/null \
  || { "${as_root[@]}" apt-get update -q >/dev/null && "${as_root[@]}" apt-get install -y -q chromium >/dev/null; } \
  || { echo "apt-get install chromium failed"; exit 1; }
echo "browser: $(command -v chromium)"
