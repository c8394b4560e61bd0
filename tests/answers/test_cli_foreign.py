"""The CLI with kickstart and Azure Linux files: validate, convert, plan (and install's input
check). Bad input exits 2 with FILE:LINE messages and no traceback; secrets are never printed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from installer.backend.answers.native import load_native
from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
AZURE = ROOT / "tests" / "fixtures" / "azure" / "imageconfigs"
MACHINES = ROOT / "tests" / "fixtures" / "machines"
EXAMPLES = ROOT / "examples"
PASS = "Cli-Secret-Passphrase-9"

Cap = pytest.CaptureFixture[str]


def run(capsys: Cap, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


@pytest.fixture
def bad_ks(tmp_path: Path) -> Path:
    f = tmp_path / "bad.ks"
    f.write_text(f"text\nautopart --encrypted --passphrase={PASS}\nfoo --bar\nrootpw --plaintext {PASS}x\n")
    return f


@pytest.fixture
def good_ks(tmp_path: Path) -> Path:
    f = tmp_path / "good.cfg"  # detected by content, not by extension
    f.write_text(f"text\nclearpart --all --drives=vda\nautopart --encrypted --passphrase={PASS}\n"
                 f"rootpw --plaintext {PASS}x\nnetwork --hostname=cli-host\nreboot\n")
    return f


def test_validate_kickstart_ok_and_warnings(capsys: Cap, good_ks: Path) -> None:
    rc, out, err = run(capsys, "validate", str(good_ks))
    assert rc == 0 and out.strip() == f"{good_ks}: ok (kickstart)"
    assert f"{good_ks}: warning: line 4: rootpw: plaintext root password was hashed" in err
    assert PASS not in out + err


def test_validate_bad_kickstart_exit_2_file_line(capsys: Cap, bad_ks: Path) -> None:
    rc, out, err = run(capsys, "validate", str(bad_ks))
    assert rc == 2 and out == ""
    assert err.splitlines() == [f"{bad_ks}:3: Unknown command: foo"]
    assert PASS not in err


def test_validate_unsupported_and_ignore_flag(capsys: Cap, tmp_path: Path) -> None:
    f = tmp_path / "u.ks"
    f.write_text("text\nsshpw --username=a --lock x\nmediacheck\n")
    rc, _, err = run(capsys, "validate", str(f))
    assert rc == 2 and f"{f}:2: sshpw: command 'sshpw' is not supported" in err
    rc, out, err = run(capsys, "validate", "--ignore-unsupported", str(f))
    assert rc == 0 and "ok (kickstart)" in out and "warning: line 3: mediacheck" in err


def test_validate_examples_and_samples(capsys: Cap) -> None:
    files = [*sorted(EXAMPLES.glob("*.ks")), *sorted(AZURE.glob("*.json"))]
    rc, out, _ = run(capsys, "validate", *map(str, files))
    assert rc == 0
    assert out.count("ok (kickstart)") == len(list(EXAMPLES.glob("*.ks"))) >= 3
    assert out.count("ok (azure)") == 4


def test_validate_with_machine(capsys: Cap) -> None:
    rc, out, err = run(capsys, "validate", "--machine", str(MACHINES / "two-disks.json"),
                       str(EXAMPLES / "ks-luks-lvm.ks"), str(AZURE / "core-efi.json"))
    assert rc == 0, err
    assert out.count(": ok (") == 2


def test_validate_bad_azure_exit_2_key_path(capsys: Cap, tmp_path: Path) -> None:
    f = tmp_path / "image.conf"
    data = json.loads((AZURE / "core-efi.json").read_text())
    data["Disks"][0]["Partitions"][1]["ID"] = "boot"
    f.write_text(json.dumps(data, indent=4))
    rc, _, err = run(capsys, "validate", str(f))
    assert rc == 2
    assert any(line.startswith(f"{f}:") and "Disks[0].Partitions[1].ID: duplicate partition ID 'boot'" in line
               for line in err.splitlines()), err


def test_convert_kickstart_yaml_and_json(capsys: Cap, good_ks: Path) -> None:
    rc, out, err = run(capsys, "convert", str(good_ks))
    assert rc == 0 and PASS not in out + err
    data = yaml.safe_load(out)
    assert data["version"] == 1 and data["system"]["hostname"] == "cli-host"
    assert data["storage"]["encryption"] == {"enabled": True}
    assert data["root"]["password_hash"].startswith("$6$")
    assert "display_mode = text" in err
    rc, out, _ = run(capsys, "convert", "--to", "json", str(good_ks))
    assert rc == 0 and json.loads(out).get("finish", "reboot") == "reboot" and PASS not in out


def test_converted_file_validates_again(capsys: Cap, tmp_path: Path) -> None:
    rc, out, _ = run(capsys, "convert", str(EXAMPLES / "ks-static-net.ks"))
    assert rc == 0
    native = tmp_path / "native.yaml"
    native.write_text(out)
    rc, out2, _ = run(capsys, "validate", str(native))
    assert rc == 0 and "ok (native)" in out2
    assert load_native(out, "x").storage.partitions is not None


def test_convert_azure_with_system_config(capsys: Cap) -> None:
    rc, out, err = run(capsys, "convert", str(AZURE / "full.json"), "--system-config", "Azure Linux Core")
    assert rc == 0
    assert yaml.safe_load(out)["packages"] == {"hypervisor_packages": "always"}  # set core is the default
    assert "system_config = Azure Linux Core" in err
    rc, _, err = run(capsys, "convert", str(AZURE / "full.json"), "--system-config", "Nope")
    assert rc == 2 and "no SystemConfig named 'Nope'" in err
    rc, _, err = run(capsys, "convert", str(EXAMPLES / "ks-autopart.ks"), "--system-config", "X")
    assert rc == 2 and "Azure Linux image configs only" in err


def test_convert_bad_input(capsys: Cap, bad_ks: Path, tmp_path: Path) -> None:
    rc, out, err = run(capsys, "convert", str(bad_ks))
    assert rc == 2 and out == "" and err.startswith(f"{bad_ks}:3:") and PASS not in err
    rc, _, err = run(capsys, "convert", str(tmp_path / "missing.ks"))
    assert rc == 2 and "cannot read answer file" in err


def test_plan_kickstart_and_azure(capsys: Cap) -> None:
    rc, out, err = run(capsys, "plan", str(EXAMPLES / "ks-luks-lvm.ks"), "--machine", str(MACHINES / "two-disks.json"))
    assert rc == 0, err
    assert "/dev/vda" in out and "ERASED" in out
    rc, out, err = run(capsys, "plan", "--json", str(AZURE / "core-legacy.json"),
                       "--machine", str(MACHINES / "bios-sata.json"))
    assert rc == 0, err
    assert json.loads(out)["erase"] == ["/dev/sda"]


def test_plan_bad_kickstart_exit_2(capsys: Cap, bad_ks: Path) -> None:
    rc, out, err = run(capsys, "plan", str(bad_ks), "--machine", str(MACHINES / "two-disks.json"))
    assert rc == 2 and out == "" and err.startswith(f"{bad_ks}:3:") and PASS not in err


def test_plan_bad_azure_exit_2(capsys: Cap, tmp_path: Path) -> None:
    shutil.copytree(AZURE, tmp_path / "cfg")
    f = tmp_path / "cfg" / "core-efi.json"
    data = json.loads(f.read_text())
    data["SystemConfigs"][0]["Encryption"] = {"Enable": True, "Password": PASS}
    f.write_text(json.dumps(data, indent=2))
    rc, out, err = run(capsys, "plan", str(f), "--machine", str(MACHINES / "two-disks.json"))
    assert rc == 2 and out == ""
    assert "SystemConfigs[0].Encryption: encryption needs the root partition" in err and PASS not in err


def test_install_rejects_bad_kickstart_before_anything(capsys: Cap, bad_ks: Path, tmp_path: Path) -> None:
    rc, _, err = run(capsys, "install", "--dry-run", "--machine", str(MACHINES / "two-disks.json"),
                     "--log", str(tmp_path / "i.log"), str(bad_ks))
    assert rc == 2 and f"{bad_ks}:3: Unknown command: foo" in err and PASS not in err


def test_plan_time_issue_points_at_kickstart_line(capsys: Cap, tmp_path: Path) -> None:
    f = tmp_path / "small-esp.ks"
    f.write_text("text\nclearpart --all --drives=vda\npart /boot/efi --size=100 --fstype=efi\n"
                 "part / --size=4000 --grow\n")
    rc, out, err = run(capsys, "plan", str(f), "--machine", str(MACHINES / "two-disks.json"))
    assert rc == 2 and out == ""
    assert err.startswith(f"{f}:3: part [storage.partitions.0.size]:"), err
    rc, _, err = run(capsys, "validate", "--machine", str(MACHINES / "two-disks.json"), str(f))
    assert rc == 2 and f"{f}:3: part" in err


def test_plan_time_issue_points_at_azure_key(capsys: Cap, tmp_path: Path) -> None:
    shutil.copytree(AZURE, tmp_path / "cfg")
    f = tmp_path / "cfg" / "core-efi.json"
    data = json.loads(f.read_text())
    data["Disks"][0]["Partitions"][1]["End"] = 9000  # a 9 GiB root on a 3 GiB disk
    f.write_text(json.dumps(data, indent=2))
    rc, _, err = run(capsys, "plan", str(f), "--machine", str(MACHINES / "small-vm.json"))
    assert rc == 2
    first = next(line for line in err.splitlines() if "warning" not in line)
    assert first.startswith(f"{f}:") and first[len(str(f)) + 1:].split(":")[0].isdigit(), err
    assert "Disks[0] [storage.disks.0]: /dev/vda (3.0 GiB) is too small" in first, err
