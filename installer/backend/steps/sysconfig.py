"""Step 'sysconfig': hostname, machine-id, timezone, locale, keyboard, SELinux, network (networkd),
firewall (nftables), services and SSH host keys, by writing files in the target (no daemons)."""

from __future__ import annotations

from typing import Any

from installer.backend.config import InstallConfig
from installer.backend.errors import InvalidInput, Issue, StepFailed
from installer.backend.payload.sets import set_selinux
from installer.backend.payload.tool import rpm_argv
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.chroot import run_in_target, target_has
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.sysconfig import checks, files, firewall, network

UNIT_DIRS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")
SSH_UNITS = ("sshd.service", "ssh.service")


def effective_selinux(config: InstallConfig) -> str | None:
    """The SELinux mode: the config's, else what the package set ships (full: permissive)."""
    return config.system.selinux or set_selinux(config.packages.set)


def _unit(name: str) -> str:
    return name if "." in name else f"{name}.service"


def wants_sshd(config: InstallConfig) -> bool:
    return any(_unit(s) in SSH_UNITS for s in config.system.services.enable)


class SysConfig:
    def __init__(self, config: InstallConfig) -> None:
        s = config.system
        self.hostname = s.hostname
        self.timezone = s.timezone
        self.locale = s.locale
        self.keyboard = s.keyboard
        self.selinux = effective_selinux(config)
        self.interfaces = list(s.network.interfaces)
        self.firewall = s.firewall
        self.enable = [_unit(x) for x in s.services.enable]
        self.disable = [_unit(x) for x in s.services.disable]
        self.sshd = wants_sshd(config)

    # -- helpers
    def _read(self, ctx: StepContext, rel: str) -> str | None:
        try:
            return ctx.system.read_file(ctx.path(rel))
        except (FileNotFoundError, OSError):
            return None

    def _unit_path(self, ctx: StepContext, unit: str) -> str | None:
        return target_has(ctx, *(f"{d}/{unit}" for d in UNIT_DIRS))

    # -- parts
    def _identity(self, ctx: StepContext) -> None:
        w = ctx.system.write_file
        w(ctx.path("/etc/hostname"), files.hostname_file(self.hostname))
        w(ctx.path("/etc/hosts"), files.hosts_file(self.hostname, self._read(ctx, "/etc/hosts")))
        ctx.system.remove(ctx.path("/etc/machine-id"))
        ctx.system.run(["systemd-machine-id-setup", f"--root={ctx.target_root}"])

    def _locale(self, ctx: StepContext) -> None:
        zone = f"/usr/share/zoneinfo/{self.timezone}"
        if target_has(ctx, zone) is None:
            ctx.log(f"the target has no {zone} (tzdata not installed?): /etc/localtime points to it anyway",
                    "warning")
        ctx.system.symlink(f"..{zone}", ctx.path("/etc/localtime"))
        ctx.system.write_file(ctx.path("/etc/locale.conf"), files.locale_conf(self.locale))
        ctx.system.write_file(ctx.path("/etc/vconsole.conf"), files.vconsole_conf(self.keyboard))

    def _selinux(self, ctx: StepContext) -> None:
        if self.selinux is None:
            return
        existing = self._read(ctx, "/etc/selinux/config")
        if existing is None and target_has(ctx, "/etc/selinux") is None:
            ctx.log(f"SELinux mode {self.selinux} requested but the target has no /etc/selinux (no policy "
                    "installed): only the kernel arguments are set", "warning")
            return
        ctx.system.write_file(ctx.path("/etc/selinux/config"), files.selinux_config(self.selinux, existing))

    def _network(self, ctx: StepContext) -> None:
        ctx.system.makedirs(ctx.path(network.NETWORK_DIR))
        for name, text in network.network_files(self.interfaces).items():
            ctx.system.write_file(ctx.path(network.NETWORK_DIR, name), text)

    def _firewall(self, ctx: StepContext) -> list[str]:
        if not self.firewall.enabled:
            return []
        unit = self._unit_path(ctx, "nftables.service")
        path = firewall.ruleset_path(self._read(ctx, unit) if unit else None)
        ctx.system.write_file(ctx.path(path), firewall.ruleset(self.firewall), mode=0o600)
        if unit is None:
            ctx.log("nftables is not installed in the target: the firewall ruleset was written to "
                    f"{path} but nothing loads it", "warning")
            return []
        return ["nftables.service"]

    def _services(self, ctx: StepContext, enable: list[str]) -> None:
        defaults = [u for u in ("systemd-networkd.service", "systemd-resolved.service", *enable)
                    if u not in self.disable and self._unit_path(ctx, u) is not None]
        for u in self.enable:
            if self._unit_path(ctx, u) is None:
                raise StepFailed(ctx.step_id, "enable services", f"unit {u} does not exist in the target")
        to_enable = list(dict.fromkeys(defaults + self.enable))
        if "systemd-resolved.service" in to_enable:  # as systemd-resolved's own scriptlet would
            ctx.system.symlink("../run/systemd/resolve/stub-resolv.conf", ctx.path("/etc/resolv.conf"))
        disable = list(self.disable)
        if not self.sshd:
            disable += [u for u in SSH_UNITS if self._unit_path(ctx, u) is not None]
        disable = [u for u in dict.fromkeys(disable) if u not in to_enable]
        sysctl = ["systemctl", f"--root={ctx.target_root}"]
        if to_enable:
            ctx.system.run([*sysctl, "enable", *to_enable])
        for u in disable:  # one by one: a unit that is not there is not an error when disabling
            res = ctx.system.run([*sysctl, "disable", u], check=False)
            if res.returncode != 0 and u in self.disable:
                raise StepFailed(ctx.step_id, "disable services", f"{u}: {res.stderr.strip()}")
        if not self.sshd:  # enablement links left behind without their unit (no scriptlets ran)
            for u in SSH_UNITS:
                ctx.system.run(["find", ctx.path("/etc/systemd/system"), "-name", u, "-xtype", "l", "-delete"],
                               check=False)
        ctx.log(f"services enabled: {', '.join(to_enable) or 'none'}; disabled: {', '.join(disable) or 'none'}")

    def _ssh_keys(self, ctx: StepContext) -> None:
        q = ctx.system.run([*rpm_argv(ctx.target_root), "-q", "--whatprovides", "openssh-server"], check=False)
        if q.returncode != 0:
            return
        if target_has(ctx, "/usr/bin/ssh-keygen") is None:
            ctx.log("openssh-server is installed but ssh-keygen is not: no host keys generated", "warning")
            return
        run_in_target(ctx, ["ssh-keygen", "-A"])

    def run(self, ctx: StepContext) -> None:
        parts = [("hostname and machine-id", self._identity), ("timezone, locale, keyboard", self._locale),
                 ("SELinux", self._selinux), ("network", self._network)]
        for i, (what, fn) in enumerate(parts):
            ctx.check_cancel()
            ctx.progress(i / 7, what)
            fn(ctx)
        ctx.progress(4 / 7, "firewall")
        enable = self._firewall(ctx)
        ctx.progress(5 / 7, "services")
        self._services(ctx, enable)
        ctx.progress(6 / 7, "SSH host keys")
        self._ssh_keys(ctx)

    def describe(self) -> dict[str, Any]:
        return {
            "hostname": self.hostname,
            "timezone": self.timezone,
            "locale": self.locale,
            "keyboard": self.keyboard,
            "selinux": self.selinux,
            "network": list(network.network_files(self.interfaces)),
            "firewall": {"enabled": self.firewall.enabled, "services": self.firewall.services,
                         "ports": self.firewall.ports},
            "enable": self.enable,
            "disable": self.disable,
            "sshd": "enabled" if self.sshd else "disabled",
        }


def check(config: InstallConfig) -> list[Issue]:
    """Plan-time errors: names that cannot work in the target."""
    s = config.system
    issues = []
    for path, msg in (
        ("system.timezone", checks.timezone_error(s.timezone)),
        ("system.locale", checks.locale_error(s.locale)),
        ("system.keyboard", checks.keymap_error(s.keyboard)),
    ):
        if msg:
            issues.append(Issue(path, msg))
    bad = firewall.unknown_services(s.firewall)
    if bad:
        issues.append(Issue("system.firewall.services", f"unknown service(s) {', '.join(bad)}; known: "
                            + ", ".join(sorted(firewall.SERVICES)) + " (or give ports such as 8080/tcp)"))
    return issues


def plan(info: PlanInfo) -> Planned | None:
    issues = check(info.config)
    if issues:
        raise InvalidInput(issues)
    action = SysConfig(info.config)
    s = info.config.system
    fw = s.firewall
    fw_line = ("firewall: " + (", ".join(fw.services + fw.ports) or "nothing") + " allowed in") if fw.enabled \
        else "firewall: off"
    summary = [
        f"hostname {s.hostname}, timezone {s.timezone}, locale {s.locale}, keyboard {s.keyboard}",
        "network: " + ", ".join(i.name + (" dhcp" if i.dhcp else " " + ",".join(i.addresses))
                                + ("" if i.onboot else " (down at boot)") for i in s.network.interfaces),
        fw_line,
        f"sshd {'enabled' if action.sshd else 'disabled'}" + (f", SELinux {action.selinux}" if action.selinux else ""),
    ]
    return Planned(Step("sysconfig", "Configure the system", 5, summary, action))
