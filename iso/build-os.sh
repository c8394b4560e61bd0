#!/usr/bin/env bash
# Stage 1 of the installer medium: a Debian 13 (trixie) root with every package in
# iso/packages.txt and the installer's Python dependencies (wheels downloaded on the host).
# Usage: build-os.sh ROOTDIR WHEELDIR       (run as root; ROOTDIR must not exist)
# Slow (~5 min) and cached by iso/build.py under a hash of this script, packages.txt and the
# wheel list; nothing here depends on the installer's own source.
set -euo pipefail
root=$1
wheels=$2
here=$(cd "$(dirname "$0")" && pwd)
mirror=${AZL_DEBIAN_MIRROR:-http://deb.debian.org/debian}

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt")

mounted=()
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

debootstrap --variant=minbase --include=systemd,systemd-sysv,udev,kmod,python3,ca-certificates \
  trixie "$root" "$mirror"

cat > "$root/etc/apt/sources.list" <<SRC
deb $mirror trixie main
deb $mirror trixie-updates main
SRC
# no docs, man pages or other locales in the live root
cat > "$root/etc/dpkg/dpkg.cfg.d/01-azl-nodoc" <<'CFG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
CFG
# the live system must not build an initramfs for itself on kernel install (dracut runs later)
mkdir -p "$root/etc/kernel/postinst.d"
for d in proc sys dev dev/pts; do
  mount --bind "/$d" "$root/$d"; mounted+=("$root/$d")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
export DEBIAN_FRONTEND=noninteractive
chroot "$root" apt-get update -qq
# dracut first: otherwise the kernel pulls initramfs-tools in
chroot "$root" apt-get install -y -qq --no-install-recommends dracut dracut-live
chroot "$root" apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
chroot "$root" apt-get clean

# the installer's Python dependencies, from wheels fetched on the host (pip has no index here)
site="$root/usr/local/lib/python3.13/dist-packages"
mkdir -p "$site"
pyver=$(chroot "$root" python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if [ "$pyver" != "3.13" ]; then
  echo "build-os: expected Python 3.13 in trixie, found $pyver" >&2
  exit 1
fi
python3 -m pip install -q --no-index --find-links "$wheels" --target "$site" \
  --only-binary=:all: --python-version 3.13 --implementation cp --platform manylinux2014_x86_64 \
  --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform any \
  --no-compile -r "$wheels/requirements.txt"
rm -rf "$site/bin"
echo "build-os: done: $(du -sh "$root" | cut -f1)"
