#!/usr/bin/env bash
# Installs the system packages vdpush's tests and commands use, from Debian's archive:
#   xvfb, x11-xserver-utils (xdpyinfo)  the real virtual display (--source xvfb)
#   ffmpeg                               MP4 recording and the x11grab baseline in `vdpush bench xvfb`
#   chromium                             the viewer's browser test (driven by playwright-core)
#   x11-apps                             xeyes and friends for `--exec`
#   xdotool                              real X input and window checks in the Xvfb tests
#   vncsnapshot                          a real VNC client for the RFB server's tests
#   x11vnc                               the baseline in `vdpush bench vnc`
# Safe to run twice; needs root (or sudo).
set -euo pipefail
pkgs=(xvfb x11-xserver-utils ffmpeg chromium x11-apps xdotool vncsnapshot x11vnc)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all present (${pkgs[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: installed ${missing[*]}"
