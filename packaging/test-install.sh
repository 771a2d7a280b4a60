#!/usr/bin/env bash
# Installs Kinora's .deb into a fresh Debian 12 root (debootstrap + chroot) and runs it there from the
# installed files only: `kinora --version`, `kinora doctor`, `kinora models` and a `kinora generate` with
# the bundled model (no environment variable pointing anywhere), plus `kinora-studio --screenshot` on
# the offscreen platform. Too slow for every CTest run (it downloads and installs a Debian system and
# Kinora's dependencies: about 10-20 minutes and 3 GB); run it before each release (docs/CONTRIBUTING.md).
#
# Usage: packaging/test-install.sh [PACKAGE.deb] [--root DIR] [--keep]
#   PACKAGE.deb  default: the one `cmake --build build --target package` made (build/kinora_*.deb)
#   --root DIR   where the Debian root goes (default /var/tmp/kinora-test-root; reused when present)
#   --keep       leave the root in place afterwards (to look around: chroot DIR bash)
# Needs root (debootstrap, chroot) and Debian's package mirror.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deb=""
root=/var/tmp/kinora-test-root
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) deb=$1; shift ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "test-install: needs root (debootstrap and chroot)" >&2; exit 1; }
if [ -z "$deb" ]; then
    deb=$(ls -t "$here"/build/kinora_*.deb 2>/dev/null | head -1 || true)
fi
[ -f "$deb" ] || { echo "test-install: no package; build one with: cmake --build build --target package" >&2; exit 1; }
mirror=${KINORA_DEBIAN_MIRROR:-http://deb.debian.org/debian}

step() { printf '\n==> %s\n' "$*"; }
cleanup() {
    for m in proc sys dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
    if [ "$keep" -eq 0 ]; then rm -rf "$root"; fi
}
trap cleanup EXIT

if [ ! -x "$root/usr/bin/apt-get" ]; then
    step "debootstrap bookworm into $root"
    rm -rf "$root"
    debootstrap --variant=minbase bookworm "$root" "$mirror"
fi
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

step "installing $(basename "$deb") and its dependencies (apt resolves them from the mirror)"
cp "$deb" "$root/tmp/kinora.deb"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -q
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/kinora.deb

run() { echo "+ $*"; chroot "$root" env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
step "running the installed programs"
run kinora --version
run kinora doctor
run kinora models
run kinora generate --prompt "a red circle moving left on a black background" --seed 7 --out /tmp/clip.mp4
run kinora verify /tmp/clip.mp4
run kinora history list
run env QT_QPA_PLATFORM=offscreen kinora-studio --screenshot /tmp/studio.png --size 1280x800
test -s "$root/tmp/studio.png"
step "the package installs, and kinora runs from the installed files only: OK"
