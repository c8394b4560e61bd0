"""The corpus: image configs shaped like every config of Azure Linux 3.0's toolkit/imageconfigs and
its test data (tests/fixtures/azure/corpus, written for this project). Every bootable one loads,
plans and dry-runs to a command transcript that installs its kernel and a bootloader; container
and distroless ones are refused, naming why."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from installer.backend.answers.load import load_file
from installer.backend.engine import apply
from installer.backend.errors import InvalidInput
from installer.backend.machine import load_machine
from installer.backend.payload.sets import set_kernel
from installer.backend.plan import make_plan
from installer.backend.system import RecordingSystem, default_responder

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fixtures/azure/corpus"
MACHINE = ROOT / "tests/fixtures/machines/two-disks.json"
SATA = ROOT / "tests/fixtures/machines/bios-sata.json"
CONTAINERS = {"core-container.json", "core-container-builder.json", "distroless-base.json",
              "distroless-debug.json", "distroless-minimal.json"}
CONFIGS = sorted(CORPUS.glob("*.json"))
BOOTABLE = [p for p in CONFIGS if p.name not in CONTAINERS]
KVER = "6.6.57.1-1.azl3"


def responder(argv: list[str]) -> str | None:
    if argv[:2] == ["ls", "-1"] and argv[2].endswith("/modules"):
        return f"{KVER}\n"
    return default_responder(argv)


def dry_run(path: Path) -> tuple[str, str]:
    """(plan text, transcript + /etc/default/grub + /etc/fstab) of a whole disk install of ``path``
    on a recorded machine (bios-sata for a config that names /dev/sda, else two-disks)."""
    loaded = load_file(path)
    machine = load_machine(SATA if "/dev/sda" in path.read_text() else MACHINE)
    plan = make_plan(loaded.config, machine)
    sys_ = RecordingSystem(responder=responder)
    res = apply(plan, loaded.config, machine, sys_, lambda e: None, threading.Event())
    assert res.ok, res.error
    files = {f: sys_.files[f"/mnt/sysimage{f}"].decode() for f in ("/etc/default/grub", "/etc/fstab")}
    return plan.render(), sys_.transcript() + "".join(f"--- {f}\n{text}" for f, text in files.items())


def test_corpus_has_every_toolkit_config_shape() -> None:
    assert len(CONFIGS) == 33 and {p.name for p in CONFIGS} >= CONTAINERS


@pytest.mark.parametrize("path", BOOTABLE, ids=lambda p: p.stem)
def test_bootable_config_installs_kernel_and_bootloader(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    loaded = load_file(path)
    kernel = set_kernel(loaded.config.packages)
    assert kernel, "KernelOptions.default was dropped"
    _plan, t = dry_run(path)
    install = next(line for line in t.splitlines() if " -y install " in line)
    names = install.split(" -y install ", 1)[1].split()
    assert kernel in names
    bios = loaded.config.storage.firmware == "bios"
    assert ({"grub2-pc"} if bios else {"shim", "grub2-efi-binary"}) <= set(names)
    target = "--target=i386-pc" if bios else "--target=x86_64-efi"
    assert any("grub2-install" in line and target in line for line in t.splitlines()), t[-3000:]
    assert "dracut --force --no-hostonly" in t or "dracut --force --hostonly" in t
    assert "grub2-mkconfig -o /boot/grub2/grub.cfg" in t
    if loaded.config.system.fips:
        assert "fips=1" in t and "--add fips" in t.replace("crypt fips", "fips") and "dracut-fips" in names


@pytest.mark.parametrize("name", sorted(CONTAINERS))
def test_container_configs_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as ei:
        load_file(CORPUS / name)
    (issue,) = ei.value.issues
    assert "an image for a container, not an installable system" in issue.message
    assert issue.line is not None and issue.source == str(CORPUS / name)


def test_fips_configs_get_boot_argument_for_separate_boot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    _, t = dry_run(CORPUS / "marketplace-gen2-fips.json")
    cmdline = t.split("--- /etc/default/grub", 1)[1].split("GRUB_CMDLINE_LINUX=", 1)[1].splitlines()[0]
    assert "fips=1 boot=UUID=" in cmdline


def test_cvm_installs_grub_on_the_esp_at_efi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZL_MEDIUM_REPO", "/run/install/repo")
    plan, t = dry_run(CORPUS / "marketplace-gen2-cvm.json")
    assert "--efi-directory=/efi" in t and "ESP at /efi" in plan
    fstab = t.split("--- /etc/fstab\n", 1)[1]
    assert any(line.split()[1:4] == ["/efi", "vfat", "umask=0077"] for line in fstab.splitlines()
               if line and not line.startswith("#")), fstab


@pytest.mark.parametrize("name", ["keyforms.json", "attended.json", "validator-config.json"])
def test_toolkit_test_data_shapes_load(name: str) -> None:
    loaded = load_file(CORPUS / "testdata" / name)
    c = loaded.config
    assert set_kernel(c.packages) in ("kernel", "kernel-hwe")
    if name == "keyforms.json":
        adv = next(u for u in c.users if u.name == "advanceduser")
        assert adv.ssh_keys == ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirstKeyforms first@h",
                                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecondKeyforms second@h"]  # SSHPubkeyPaths
        assert (adv.uid, adv.primary_group, adv.password_max_days) == (1105, "testgroup", 99999)
        assert [(g.name, g.gid) for g in c.groups] == [("groupa", None), ("groupb", None), ("testgroup", 1109)]
        assert any("Artifacts" in w and "image-build setting" in w for w in loaded.warnings)
        assert any("RdiffBaseImage" in w for w in loaded.warnings)
        assert "hidepid=2" in c.scripts.post[-1].body or any("hidepid=2" in s.body for s in c.scripts.post)
    if name == "attended.json":
        assert any("DefaultSystemConfig" in w for w in loaded.warnings)
        assert c.system.selinux == "permissive" and "efi_mmap_nr_slack_slots=256" in c.bootloader.append
