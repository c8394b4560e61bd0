"""Step 'bootloader': the initramfs (dracut, in a chroot), /etc/default/grub with the kernel
command line from the storage layout, GRUB2 for UEFI (removable path, NVRAM entry only with EFI
variables) or BIOS (i386-pc), and grub2-mkconfig. Azure Linux's command names and paths."""

from __future__ import annotations

from typing import Any

from installer.backend import grammar
from installer.backend.config import Bootloader, InstallConfig
from installer.backend.errors import StepFailed
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.chroot import ensure_mounts, run_in_target, target_has
from installer.backend.steps.registry import PlanInfo, Planned
from installer.backend.steps.sysconfig import effective_selinux
from installer.backend.storage.layout_info import TargetLayout
from installer.backend.sysconfig.files import selinux_kernel_args

GRUB_CFG = "/boot/grub2/grub.cfg"
DEFAULT_GRUB = "/etc/default/grub"
EFI_DIR = "/boot/efi"
BOOTLOADER_ID = "azurelinux"


def kernel_cmdline(layout: TargetLayout | None, selinux: str | None, append: str, fips: bool = False) -> list[str]:
    args = list(layout.kernel_args()) if layout else []
    args += selinux_kernel_args(selinux)
    if fips:  # dracut's fips module checks the kernel's .hmac on /boot: boot= names a separate one
        args.append("fips=1")
        if layout and layout.boot_device:
            args.append(f"boot=UUID={layout.boot_uuid}" if layout.boot_uuid else f"boot={layout.boot_device}")
    args += grammar.kernel_args(append)
    return args


def _grub_value(cmdline: list[str]) -> str:
    """GRUB_CMDLINE_LINUX's value, for a file that grub2-mkconfig sources with the shell and whose
    words it copies into grub.cfg: every token must be a plain kernel argument (the config model
    refuses anything else; this refuses it again), then it is double-quoted with the shell's four
    special characters escaped, so even a value that got past both could not run a command."""
    for token in cmdline:
        p = grammar.kernel_arg_problem(token)
        if p:
            raise grammar.UnsafeValue(f"refusing to write {DEFAULT_GRUB}: {p}")
    text = " ".join(cmdline)
    grammar.require_safe(text, "the kernel command line")
    return '"' + "".join("\\" + c if c in '\\"$`' else c for c in text) + '"'


def default_grub(cmdline: list[str], timeout: int) -> str:
    return (
        "# written by azl-installer\n"
        f"GRUB_TIMEOUT={timeout}\n"
        'GRUB_DISTRIBUTOR="Azure Linux"\n'
        "GRUB_DEFAULT=0\n"
        "GRUB_DISABLE_SUBMENU=true\n"
        'GRUB_TERMINAL_OUTPUT="console"\n'
        f"GRUB_CMDLINE_LINUX={_grub_value(cmdline)}\n"
        'GRUB_DISABLE_RECOVERY="true"\n'
        "GRUB_DISABLE_OS_PROBER=true\n"
    )


def dracut_argv(kver: str, *, hostonly: bool, luks: bool, lvm: bool, fips: bool = False) -> list[str]:
    argv = ["dracut", "--force", "--hostonly" if hostonly else "--no-hostonly"]
    mods = (["crypt"] if luks else []) + (["lvm"] if lvm else []) + (["fips"] if fips else [])
    if mods:
        argv += ["--add", " ".join(mods)]
    return [*argv, "--kver", kver, f"/boot/initramfs-{kver}.img"]


def grub_install_argvs(layout: TargetLayout, efivars: bool) -> list[list[str]]:
    if layout.firmware == "uefi":
        esp = layout.esp_mount or EFI_DIR
        out = [["grub2-install", "--target=x86_64-efi", f"--efi-directory={esp}", "--boot-directory=/boot",
                "--removable", "--no-nvram"]]
        if efivars:
            out.append(["grub2-install", "--target=x86_64-efi", f"--efi-directory={esp}",
                        "--boot-directory=/boot", f"--bootloader-id={BOOTLOADER_ID}"])
        return out
    return [["grub2-install", "--target=i386-pc", "--boot-directory=/boot", layout.disks[0]]]


class BootloaderAction:
    def __init__(self, config: InstallConfig, directory: bool, efivars: bool) -> None:
        self.boot: Bootloader = config.bootloader
        self.selinux = effective_selinux(config)
        self.directory = directory
        self.efivars = efivars
        self.fips = config.system.fips

    def _kernels(self, ctx: StepContext) -> list[str]:
        for d in ("/usr/lib/modules", "/lib/modules"):
            r = ctx.system.run(["ls", "-1", ctx.path(d)], check=False)
            if r.returncode == 0:
                return sorted(k for k in r.stdout.split() if k)
        return []

    def _selinux_mode(self, ctx: StepContext) -> str | None:
        """The requested mode, or ``disabled`` when the target has no policy SELinux could load:
        a kernel told to enable SELinux without one fails socket units (udev, D-Bus) at boot."""
        if self.selinux not in ("permissive", "enforcing"):
            return self.selinux
        try:
            config = ctx.system.read_file(ctx.path("/etc/selinux/config"))
        except OSError:
            config = ""
        kind = next((ln.split("=", 1)[1].strip().strip("\"'") for ln in config.splitlines()
                     if ln.strip().startswith("SELINUXTYPE=")), "") or "targeted"
        if target_has(ctx, f"/etc/selinux/{kind}/policy") is not None:
            return self.selinux
        ctx.log(f"SELinux {self.selinux} requested but the target has no policy in /etc/selinux/{kind}/policy: "
                "the kernel gets selinux=0 (SELinux without a policy breaks udev and D-Bus at boot)", "warning")
        return "disabled"

    def run(self, ctx: StepContext) -> None:
        layout = ctx.state.get("layout")
        if layout is not None and not isinstance(layout, TargetLayout):
            layout = None
        if layout is None and not self.directory:
            raise StepFailed(ctx.step_id, "kernel command line", "the storage step left no layout")
        cmdline = kernel_cmdline(layout, self._selinux_mode(ctx), self.boot.append, self.fips)
        ctx.system.write_file(ctx.path(DEFAULT_GRUB), default_grub(cmdline, self.boot.timeout))
        ctx.state["kernel_cmdline"] = cmdline
        ctx.log("kernel command line: " + " ".join(cmdline))

        ctx.progress(0.1, "building the initramfs")
        kernels = self._kernels(ctx)
        if not kernels:
            ctx.log("no kernel under /usr/lib/modules in the target: no initramfs built", "warning")
        off_target = self.directory or layout is None or all(d.startswith("/dev/loop") for d in layout.disks)
        luks = bool(layout and layout.encrypted)
        lvm = bool(layout and layout.lvm_lvs)
        for i, kver in enumerate(kernels):
            ctx.check_cancel()
            ctx.progress(0.1 + 0.6 * i / len(kernels), f"dracut for kernel {kver}")
            if target_has(ctx, f"/usr/lib/modules/{kver}/modules.dep", f"/lib/modules/{kver}/modules.dep") is None:
                run_in_target(ctx, ["depmod", "-a", kver])  # no scriptlet ran it
            run_in_target(ctx, dracut_argv(kver, hostonly=not off_target, luks=luks, lvm=lvm, fips=self.fips))

        if layout is None:
            ctx.log("directory install: no boot loader installed, no grub.cfg generated")
            return
        if self.boot.location == "none":
            ctx.log("bootloader.location is none: GRUB is not installed")
            return
        ensure_mounts(ctx, efivars=self.efivars and layout.firmware == "uefi")
        ctx.progress(0.75, f"installing GRUB2 ({layout.firmware})")
        for argv in grub_install_argvs(layout, self.efivars):
            run_in_target(ctx, argv)
        ctx.progress(0.9, "grub2-mkconfig")
        run_in_target(ctx, ["grub2-mkconfig", "-o", GRUB_CFG])

    def describe(self) -> dict[str, Any]:
        return {"timeout": self.boot.timeout, "append": self.boot.append, "location": self.boot.location,
                "selinux": self.selinux, "efivars": self.efivars, "directory": self.directory, "fips": self.fips}


def plan(info: PlanInfo) -> Planned | None:
    c = info.config
    layout = info.shared.get("layout")
    layout = layout if isinstance(layout, TargetLayout) else None
    action = BootloaderAction(c, info.directory, info.machine.efivars)
    extra = kernel_cmdline(layout, action.selinux, c.bootloader.append, c.system.fips)[
        len(layout.kernel_args()) if layout else 0:]
    summary = ["initramfs with dracut" + (" (crypt)" if layout and layout.encrypted else "")
               + (" (lvm)" if layout and layout.lvm_lvs else "") + (" (fips)" if c.system.fips else "")]
    if info.directory:
        summary.append("directory install: /etc/default/grub only, no boot loader")
    elif c.bootloader.location == "none":
        summary.append("no boot loader (bootloader.location: none)")
    elif layout is not None:
        esp = "" if layout.esp_mount == EFI_DIR else f", ESP at {layout.esp_mount}"
        where = f"UEFI{esp}, removable path" + (" + NVRAM entry" if info.machine.efivars else "") \
            if layout.firmware == "uefi" else f"BIOS, {layout.disks[0]}"
        summary.append(f"GRUB2 ({where})")
    else:
        summary.append(f"GRUB2 ({info.machine.firmware})")
    if extra:
        summary.append("kernel arguments: " + " ".join(extra))
    return Planned(Step("bootloader", "Install the bootloader and initramfs", 15, summary, action))
