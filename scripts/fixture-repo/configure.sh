#!/bin/sh
# Runs inside the chroot of the fixture's Debian root (by build.py), after the packages are in.
# Turns the Debian root into one that looks like Azure Linux 3.0 to an installer: os-release,
# grub2-* command names and /boot/grub2, the rpm database path, unit names, the nftables config
# path, first-boot ssh host keys. Every file made here is assigned to a package by the
# "file_rules" of packages.json. No network, no services started.
set -eu

# --- locales: C.UTF-8 is built into glibc; en_US.UTF-8 compiled into locale-archive
echo "en_US.UTF-8 UTF-8" > /etc/locale.gen
locale-gen >/dev/null

# --- identity: Azure Linux 3.0 (a fixture built from Debian packages)
cat > /usr/lib/os-release <<'EOF'
NAME="Microsoft Azure Linux"
VERSION="3.0 (fixture)"
ID=azurelinux
VERSION_ID="3.0"
PRETTY_NAME="Microsoft Azure Linux 3.0 (fixture built from Debian 12 packages)"
VARIANT="Fixture"
VARIANT_ID=fixture
ANSI_COLOR="1;34"
HOME_URL="https://aka.ms/azurelinux"
EOF
echo "Microsoft Azure Linux 3.0 (fixture)" > /etc/azurelinux-release
printf 'Azure Linux 3.0 fixture \\n \\l\n\n' > /etc/issue
echo "Azure Linux 3.0 fixture" > /etc/issue.net

# --- GRUB under Azure Linux names: grub2-<tool> -> grub-<tool>; /boot/grub2 with /boot/grub -> grub2
# (Debian's grub-install always writes <boot-directory>/grub: through the link that is /boot/grub2)
for f in /usr/bin/grub-* /usr/sbin/grub-*; do
    [ -e "$f" ] || continue
    n=$(basename "$f")
    ln -sfn "$n" "$(dirname "$f")/grub2-${n#grub-}"
done
mkdir -p /boot/grub2
ln -sfn grub2 /boot/grub
cat > /etc/default/grub <<'EOF'
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR="Azure Linux"
GRUB_DEFAULT=0
GRUB_TERMINAL_OUTPUT="console"
GRUB_CMDLINE_LINUX=""
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_DISABLE_RECOVERY="true"
GRUB_DISABLE_OS_PROBER="true"
EOF

# --- rpm: the database at /var/lib/rpm (Debian's rpm defaults to ~/.rpmdb), Azure Linux dist tag
mkdir -p /etc/rpm /usr/lib/rpm/macros.d
echo "%_dbpath /var/lib/rpm" > /etc/rpm/macros.dbpath
printf '%%dist .azl3\n%%azl 3\n' > /usr/lib/rpm/macros.d/macros.dist

# --- unit names as on Azure Linux: sshd, chronyd, crond (the Debian name stays as an Alias)
rename_unit() {  # old new
    old=/usr/lib/systemd/system/$1.service new=/usr/lib/systemd/system/$2.service
    [ -f "$old" ] || return 0
    systemctl disable "$1.service" >/dev/null 2>&1 || true
    sed -e "/^Alias=$2\.service\$/d" "$old" > "$new"
    if grep -q '^\[Install\]' "$new"; then
        sed -i -e "/^\[Install\]/a Alias=$1.service" "$new"
    else
        printf '\n[Install]\nAlias=%s.service\nWantedBy=multi-user.target\n' "$1" >> "$new"
    fi
    rm -f "$old"
    systemctl enable "$2.service" >/dev/null 2>&1
}
rename_unit ssh sshd
rename_unit chrony chronyd
rename_unit cron crond

# sshd: host keys are made at first boot when missing (Azure Linux: sshd-keygen@.service)
cat > /usr/lib/systemd/system/sshd-keygen.service <<'EOF'
[Unit]
Description=Generate missing SSH host keys (fixture stand-in for sshd-keygen@.service)
Before=sshd.service
ConditionPathExists=|!/etc/ssh/ssh_host_rsa_key
ConditionPathExists=|!/etc/ssh/ssh_host_ecdsa_key
ConditionPathExists=|!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
EOF
mkdir -p /usr/lib/systemd/system/sshd.service.d
printf '[Unit]\nWants=sshd-keygen.service\nAfter=sshd-keygen.service\n' \
    > /usr/lib/systemd/system/sshd.service.d/keygen.conf

# --- nftables loads /etc/sysconfig/nftables.conf (Azure Linux's path)
if [ -f /usr/lib/systemd/system/nftables.service ]; then
    mkdir -p /etc/sysconfig
    [ -f /etc/nftables.conf ] && mv /etc/nftables.conf /etc/sysconfig/nftables.conf
    sed -i 's|/etc/nftables.conf|/etc/sysconfig/nftables.conf|g' /usr/lib/systemd/system/nftables.service
fi

# --- networking as on Azure Linux: systemd-networkd and systemd-resolved enabled
systemctl enable systemd-networkd.service systemd-resolved.service >/dev/null 2>&1

# --- files the installer rewrites; shipped neutral
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
echo "# /etc/fstab: static file system information (written by the installer)" > /etc/fstab

# --- no host-specific state from the build
rm -f /etc/ssh/ssh_host_* /etc/machine-id /var/lib/dbus/machine-id /etc/hostname
exit 0
