#!/usr/bin/env bash
# Installs the system packages vdpush's tests and commands use, from Debian's archive:
#   xvfb, x11-xserver-utils (xdpyinfo)  the real virtual display (--source xvfb)
#   ffmpeg                               MP4 recording and the x11grab baseline in `vdpush bench xvfb`
#   chromium                             the viewer's browser test (driven by playwright-core)
#   x11-apps                             xeyes and friends for `--exec`
#   xdotool                              real X input and window checks in the Xvfb tests
#   vncsnapshot                          a real VNC client for the RFB server's tests
#   x11vnc                               the baseline in `vdpush bench vnc`
# Then, as root only, mounts a tmpfs with huge pages for Xvfb's framebuffer at $VDPUSH_HUGE_FBDIR
# (default /run/vdpush-fb; vdpush finds it in /proc/mounts by itself, see README "--fbdir"). A
# refused mount (a container without CAP_SYS_ADMIN, a kernel without huge tmpfs) never fails the
# setup: it says why and vdpush keeps /dev/shm. VDPUSH_HUGE_FBDIR=none skips it.
# Safe to run twice; needs root (or sudo) for the packages.
set -euo pipefail
pkgs=(xvfb x11-xserver-utils ffmpeg chromium x11-apps xdotool vncsnapshot x11vnc)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all present (${pkgs[*]})"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup-system: installed ${missing[*]}"
fi

# Huge pages for the framebuffer file: an 8 MB 1080p frame in four 2 MiB pages instead of 2,025
# 4 KiB ones, for vdpush's pread of it and the X server's drawing into it (docs/performance-notes.md).
huge_fbdir() {
  local dir="${VDPUSH_HUGE_FBDIR:-/run/vdpush-fb}" size="${VDPUSH_HUGE_FBDIR_SIZE:-1g}" err
  [ "$dir" = none ] && return 0
  if awk -v d="$dir" '$2 == d && $3 == "tmpfs" && $4 ~ /huge=always/ { f = 1 } END { exit !f }' /proc/mounts; then
    echo "setup-system: huge-page tmpfs already mounted at $dir"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: not root, so no huge-page tmpfs at $dir (vdpush keeps /dev/shm); as root: mount -t tmpfs -o huge=always,size=$size,mode=1777 tmpfs $dir"
    return 0
  fi
  if [ ! -e /sys/kernel/mm/transparent_hugepage/shmem_enabled ]; then
    echo "setup-system: this kernel has no transparent huge pages for tmpfs; vdpush keeps /dev/shm"
    return 0
  fi
  if ! err=$(mkdir -p "$dir" 2>&1 && mount -t tmpfs -o "huge=always,size=$size,mode=1777" tmpfs "$dir" 2>&1); then
    echo "setup-system: could not mount a huge-page tmpfs at $dir (${err:-refused}); vdpush keeps /dev/shm"
    return 0
  fi
  # A kernel may accept the mount and drop the option (or shmem_enabled=deny overrides it).
  if awk -v d="$dir" '$2 == d && $3 == "tmpfs" && $4 ~ /huge=always/ { f = 1 } END { exit !f }' /proc/mounts &&
    ! grep -q '\[deny\]' /sys/kernel/mm/transparent_hugepage/shmem_enabled; then
    echo "setup-system: mounted a huge-page tmpfs ($size) at $dir for Xvfb's framebuffer"
  else
    umount "$dir" 2>/dev/null || true
    echo "setup-system: the kernel gives no huge pages on a tmpfs at $dir; unmounted it, vdpush keeps /dev/shm"
  fi
}
huge_fbdir || echo "setup-system: huge-page tmpfs skipped; vdpush keeps /dev/shm"
