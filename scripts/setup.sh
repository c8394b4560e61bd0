#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 or 13 machine (run as root).
# Installs the Debian packages the installer and its tests call, then a .venv with the project.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
  python3 python3-venv python3-dev gcc pkg-config libparted-dev
  parted gdisk fdisk util-linux e2fsprogs xfsprogs dosfstools mtools btrfs-progs
  cryptsetup-bin lvm2 kmod udev
  rpm dnf createrepo-c gnupg debootstrap zstd passwd libcap2-bin
  tmux
)
# The installer medium and the QEMU harness (make iso/smoke/vm-install) need more; only they ask.
ISO_APT_PKGS=(
  qemu-system-x86 qemu-utils ovmf xorriso grub-pc-bin grub-efi-amd64-bin grub-common
  mtools squashfs-tools debootstrap zstd
)
if [ -n "${AZL_SETUP_ISO:-}" ]; then
  APT_PKGS+=( "${ISO_APT_PKGS[@]}" )
fi
if [ -n "${AZL_EXTRA_APT:-}" ]; then
  # shellcheck disable=SC2206
  APT_PKGS+=( ${AZL_EXTRA_APT} )
fi

missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
stamp=.venv/.setup-stamp
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  echo "$want" > "$stamp"
fi
echo "setup: ready (.venv, $(.venv/bin/python --version))"
