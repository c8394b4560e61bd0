#!/usr/bin/env bash
# Stage 2 of the installer medium: turn a copy of the stage-1 root into the live root (v2).
# Usage: configure-live.sh ROOTDIR OUTDIR
# Copies iso/rootfs over ROOTDIR, enables the launcher, masks units that slow a live boot,
# unpacks kernel modules (the kernel's xz decompression stalls boots under emulation), trims
# what a live installer never reads, builds the initramfs with dracut, and leaves vmlinuz and
# initrd.img in OUTDIR (they stay out of the squashfs).
set -euo pipefail
root=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)

mounted=()
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

cp -a "$here/rootfs/." "$root/"
kver=$(ls "$root/usr/lib/modules" | sort -V | tail -1)

# --- units -------------------------------------------------------------------------------
# Under emulation every unit started before the launcher costs about a second of the one vCPU:
# mask what a live installer never needs (the live root has no D-Bus, so logind only fails and
# restarts; no TPM; volatile journal; no debug/fuse/hugepage mounts; users exist at build time).
sysd="$root/etc/systemd/system"
mkdir -p "$sysd/multi-user.target.wants"
# networking is started on demand (an http(s) answer file), not at boot
rm -f "$sysd"/multi-user.target.wants/systemd-networkd.service "$sysd"/sockets.target.wants/systemd-networkd.socket
for tty in tty1 ttyS0; do
  ln -sf ../azl-installer@.service "$sysd/multi-user.target.wants/azl-installer@$tty.service"
done
# the launcher owns tty1 and ttyS0; other VTs keep their gettys (a root shell for debugging)
rm -f "$sysd/getty.target.wants/getty@tty1.service"
for unit in dracut-shutdown.service dracut-shutdown-onfailure.service ldconfig.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount systemd-update-done.service \
    systemd-pstore.service e2scrub_reap.service e2scrub_all.timer fstrim.timer xfs_scrub_all.timer \
    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer lvm2-monitor.service \
    blk-availability.service grub-common.service systemd-networkd-wait-online.service \
    serial-getty@ttyS0.service getty@tty1.service remote-fs.target \
    systemd-hwdb-update.service systemd-journal-catalog-update.service \
    systemd-machine-id-commit.service systemd-firstboot.service \
    systemd-logind.service systemd-journal-flush.service systemd-random-seed.service \
    systemd-hibernate-clear.service systemd-tpm2-setup-early.service systemd-tpm2-setup.service \
    systemd-pcrmachine.service systemd-pcrphase.service systemd-pcrphase-sysinit.service \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
    systemd-ask-password-wall.path systemd-update-utmp.service systemd-update-utmp-runlevel.service \
    systemd-sysusers.service; do
  ln -sf /dev/null "$sysd/$unit"
done
rm -f "$sysd"/*.target.wants/{e2scrub_reap.service,grub-common.service,lvm2-monitor.service,blk-availability.service,systemd-pstore.service}
rm -f "$sysd"/timers.target.wants/*.timer
# live system: empty machine-id (made at boot), root without password on the spare VTs
: > "$root/etc/machine-id"
chroot "$root" passwd -d root >/dev/null
: > "$root/etc/fstab"

# --- kernel modules: unpack, drop what an installer never loads ----------------------------
mods="$root/usr/lib/modules/$kver/kernel"
rm -rf "$mods/sound" "$mods/drivers/media" "$mods/drivers/staging" "$mods/drivers/infiniband" \
  "$mods/drivers/isdn" "$mods/drivers/bluetooth" "$mods/net/wireless" "$mods/net/mac80211" \
  "$mods/drivers/net/wireless" "$mods/drivers/iio" "$mods/drivers/hid/surface" \
  "$mods/drivers/gpu/drm/amd" "$mods/drivers/gpu/drm/nouveau" "$mods/drivers/gpu/drm/i915" \
  "$mods/drivers/gpu/drm/xe" "$mods/drivers/gpu/drm/radeon" "$mods/drivers/gpu/drm/vmwgfx" \
  "$mods/drivers/gpu/drm/gma500" "$mods/drivers/gpu/drm/mgag200" "$mods/drivers/gpu/drm/ast" \
  "$mods/drivers/comedi" "$mods/fs/bcachefs" "$mods/fs/f2fs" "$mods/fs/nfs" "$mods/fs/jfs" \
  "$mods/fs/nilfs2" "$mods/fs/ubifs" "$mods/fs/orangefs" "$mods/fs/afs" "$mods/drivers/net/ethernet/chelsio" \
  "$mods/drivers/net/ethernet/qlogic" "$mods/drivers/net/ethernet/broadcom/bnx2x" \
  "$mods/drivers/net/can" "$mods/drivers/net/usb" "$mods/drivers/net/wwan" "$mods/drivers/nfc" \
  "$mods/drivers/input/touchscreen" "$mods/drivers/input/joystick" "$mods/drivers/w1" \
  "$mods/drivers/scsi/qla2xxx" "$mods/drivers/scsi/lpfc" "$mods/drivers/scsi/bfa" \
  "$mods/drivers/target" "$mods/fs/ocfs2" "$mods/fs/gfs2" "$mods/fs/smb" "$mods/fs/ceph" \
  "$mods/fs/nfsd" "$mods/drivers/thunderbolt" "$mods/drivers/atm" "$mods/net/ceph"
find "$root/usr/lib/modules/$kver" -name '*.ko.xz' -print0 | xargs -0 -r -P2 -n64 xz -d
find "$root/usr/lib/modules/$kver" -name '*.ko.zst' -print0 | xargs -0 -r -P2 -n64 zstd -q -d --rm
chroot "$root" depmod -a "$kver"

# --- python: byte-compile the wheels installed with --no-compile ---------------------------
chroot "$root" python3 -m compileall -q -j2 /usr/local/lib/python3.13/dist-packages >/dev/null || true

# --- initramfs ------------------------------------------------------------------------------
for d in proc sys dev; do
  mount --bind "/$d" "$root/$d"; mounted+=("$root/$d")
done
rm -f "$root"/boot/initrd.img-*
chroot "$root" dracut -q --force --no-hostonly --kver "$kver" /boot/initrd.img-azl
cleanup; mounted=()
mkdir -p "$out"
cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-azl" "$out/initrd.img"
rm -f "$root"/boot/initrd.img-* "$root"/boot/vmlinuz-* "$root"/boot/System.map-* "$root"/boot/config-*

# --- trim -----------------------------------------------------------------------------------
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/lintian \
  "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/var/log/* "$root"/tmp/* "$root"/etc/resolv.conf
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
echo "configure-live: done ($kver)"
