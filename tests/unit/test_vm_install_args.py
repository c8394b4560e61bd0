"""``make vm-install``'s argument handling and credential extraction (no QEMU is started)."""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
from pathlib import Path

import pytest

from tests.vm import vm_install as vi

REPO = Path(__file__).resolve().parents[2]
HASH = "$6$C2z45YjcCpdsFqzK$2FGFygn1gBiHbi2hUibIGMx.GjVElTE3ukBwdDFEJ5JH1TGd/Kbwgu.vlc6/J4AFqBb4319S.Qx8GiNC/9RA6/"
PASSPHRASE = "unit-test-luks-passphrase"

NATIVE = f"""version: 1
storage:
  disks: [{{path: /dev/vda}}]
  encryption: {{enabled: true, passphrase: "{PASSPHRASE}"}}
users:
  - name: plain
    password: "plain-pw-123"
  - name: boss
    password: "boss-pw-456"
    admin: true
"""
NATIVE_HASHED = f"""version: 1
storage:
  disks: [{{path: /dev/vda}}]
users:
  - name: azureuser
    password_hash: "{HASH}"
    admin: true
"""
KS_PLAIN = f"""text
ignoredisk --only-use=vda
clearpart --all --initlabel --drives=vda
autopart --type=plain --encrypted --passphrase={PASSPHRASE}
rootpw --lock
user --name=first --groups=wheel --plaintext --password=ks-plain-pw
user --name=other --password ks-other-pw
reboot
%post
user --name=first --password=not-a-command
%end
"""
KS_CRYPTED = (REPO / "examples" / "ks-post-check.ks").read_text()
AZURE = {
    "Disks": [{"PartitionTableType": "gpt", "MaxSize": 0, "Partitions": [
        {"ID": "rootfs", "Start": 1, "End": 0, "FsType": "ext4"}]}],
    "SystemConfigs": [{
        "Name": "x", "PartitionSettings": [{"ID": "rootfs", "MountPoint": "/"}],
        "PackageLists": [], "Users": [{"Name": "az", "Password": "az-plain-pw-1"}],
    }],
}


def _args(answers: Path, *extra: str) -> argparse.Namespace:
    return vi.parse_args(["--answers", str(answers), *extra])


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _creds(path: Path, *extra: str, env: dict[str, str] | None = None) -> vi.Credentials:
    loaded, text = vi.load_answers(path)
    return vi.resolve_credentials(_args(path, *extra), loaded, text, env={} if env is None else env)


# ----------------------------------------------------------------------------- arguments
def test_defaults_out_is_a_host_dir_and_result_is_optional(tmp_path: Path) -> None:
    a = _args(_write(tmp_path, "a.yaml", NATIVE))
    assert a.out == REPO / "build" / "vm-install"
    assert a.result is None
    assert (a.disks, a.disk_size, a.firmware, a.memory) == (1, "10G", "uefi", 2048)


def test_result_is_a_path_inside_the_installed_system(tmp_path: Path) -> None:
    f = _write(tmp_path, "a.yaml", NATIVE)
    assert _args(f, "--result", "/root/RESULT", "--out", str(tmp_path / "o")).result == "/root/RESULT"
    with pytest.raises(vi.UsageError, match=r"absolute path INSIDE the installed system.*OUT"):
        _args(f, "--result", "build/vm-result")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--disks", "0"], "--disks: 0 is not between 1 and 8"),
        (["--memory", "128"], "--memory: 128 MiB is too little"),
    ],
)
def test_bad_numbers_are_refused(tmp_path: Path, extra: list[str], message: str) -> None:
    with pytest.raises(vi.UsageError, match=message):
        _args(_write(tmp_path, "a.yaml", NATIVE), *extra)


def test_missing_answer_file_exits_2_without_starting_anything(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    rc = vi.main(["--answers", str(tmp_path / "nope.ks"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 2
    assert "--answers (ANSWERS): no file" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_invalid_answer_file_exits_2_naming_the_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, "bad.yaml", "version: 1\nstorage:\n  guided: {root_fs: zfs}\n")
    iso_info = _write(tmp_path, "iso-info.json", "{}")
    rc = vi.main(["--answers", str(bad), "--out", str(tmp_path / "out"), "--iso-info", str(iso_info)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "does not load" in err and "root_fs" in err
    assert not (tmp_path / "out").exists()


def test_no_iso_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _write(tmp_path, "a.yaml", NATIVE)
    rc = vi.main(["--answers", str(f), "--iso-info", str(tmp_path / "missing.json")])
    assert rc == 2
    assert "run make iso first" in capsys.readouterr().err


# ----------------------------------------------------------------------------- credentials
def test_native_first_admin_and_plain_password_and_passphrase(tmp_path: Path) -> None:
    c = _creds(_write(tmp_path, "a.yaml", NATIVE))
    assert (c.user, c.password, c.passphrase) == ("boss", "boss-pw-456", PASSPHRASE)
    assert c.source == {"user": "the answer file (first administrator)",
                        "password": "the answer file (plain text)", "passphrase": "the answer file"}


def test_flags_win_over_env_and_env_over_the_file(tmp_path: Path) -> None:
    f = _write(tmp_path, "a.yaml", NATIVE)
    env = {"AZL_VM_USER": "plain", "AZL_VM_PASSWORD": "env-pw", "AZL_VM_PASSPHRASE": "env-luks"}
    c = _creds(f, env=env)
    assert (c.user, c.password, c.passphrase) == ("plain", "env-pw", "env-luks")
    c = _creds(f, "--user", "boss", "--password", "flag-pw", "--passphrase", "flag-luks", env=env)
    assert (c.user, c.password, c.passphrase) == ("boss", "flag-pw", "flag-luks")
    assert c.source["password"] == "--password"


def test_user_picked_by_flag_gets_its_own_plain_password(tmp_path: Path) -> None:
    c = _creds(_write(tmp_path, "a.yaml", NATIVE), "--user", "plain")
    assert c.password == "plain-pw-123"


def test_kickstart_plaintext_password_and_passphrase(tmp_path: Path) -> None:
    f = _write(tmp_path, "a.ks", KS_PLAIN)
    c = _creds(f)
    assert (c.user, c.password, c.passphrase) == ("first", "ks-plain-pw", PASSPHRASE)
    assert _creds(f, "--user", "other").password == "ks-other-pw"  # --password VALUE form


def test_kickstart_hash_only_needs_password_flag(tmp_path: Path) -> None:
    ks = tmp_path / "ks-post-check.ks"
    ks.write_text(KS_CRYPTED)
    with pytest.raises(vi.UsageError) as info:
        _creds(ks)
    msg = str(info.value)
    assert "gives only a hash of azl's password" in msg and "VM_PASSWORD" in msg
    c = _creds(ks, env={"AZL_VM_PASSWORD": "azl-example-password"})
    assert (c.user, c.passphrase) == ("azl", None)  # plain layout: no passphrase needed


def test_native_hash_only_names_the_flag(tmp_path: Path) -> None:
    with pytest.raises(vi.UsageError, match=r"only a hash of azureuser's password; give it with --password"):
        _creds(_write(tmp_path, "a.yaml", NATIVE_HASHED))


def test_azure_plain_password(tmp_path: Path) -> None:
    f = _write(tmp_path, "a.json", json.dumps(AZURE))
    c = _creds(f)
    assert (c.user, c.password, c.passphrase) == ("az", "az-plain-pw-1", None)


def test_kickstart_parser_ignores_crypted_and_comments() -> None:
    text = "user --name=u --iscrypted --password=$6$x\n# user --name=u --password=commented\nrootpw rootpw-plain\n"
    assert vi.kickstart_plain_password(text, "u") is None
    assert vi.kickstart_plain_password(text, "root") == "rootpw-plain"
    assert vi.kickstart_plain_password("rootpw --iscrypted $6$abc\n", "root") is None


def test_credentials_repr_and_errors_hold_no_secret(tmp_path: Path) -> None:
    c = _creds(_write(tmp_path, "a.yaml", NATIVE))
    assert "boss-pw-456" not in repr(c) and PASSPHRASE not in repr(c)
    enc = _write(tmp_path, "enc.yaml", NATIVE_HASHED.replace("users:", f"  encryption: {{enabled: true, "
                                                               f"passphrase: \"{PASSPHRASE}\"}}\nusers:"))
    with pytest.raises(vi.UsageError) as info:
        _creds(enc)
    assert PASSPHRASE not in str(info.value)


def test_mask_hides_every_secret_in_text_and_serial_logs(tmp_path: Path) -> None:
    secrets = ["pw", "pw-longer"]
    assert vi.mask("typed pw-longer then pw", secrets) == f"typed {vi.MASK} then {vi.MASK}"
    log = tmp_path / "installed.serial.log"
    log.write_bytes(b"$ printf '%s\\n' pw-longer | sudo -S\r\n")
    (tmp_path / "other.txt").write_text("pw-longer")
    vi.mask_files(tmp_path, secrets)
    assert b"pw" not in log.read_bytes()
    assert (tmp_path / "other.txt").read_text() == "pw-longer"  # only serial logs are rewritten


def test_result_script_reads_the_file_as_one_line(tmp_path: Path) -> None:
    """The shell lines that report RESULT, run here with sh against a real file."""
    target = tmp_path / "RESULT it's"
    target.write_text("SUCCESS\nsecond line\n")
    out = subprocess.run(["sh", "-c", vi.result_script(str(target))], capture_output=True, text=True).stdout
    lines = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("V:"))
    assert lines["V:result_exists"] == "yes"
    assert base64.b64decode(lines["V:result_b64"]).decode() == "SUCCESS\nsecond line\n"
    missing = subprocess.run(["sh", "-c", vi.result_script(str(tmp_path / "none"))],
                             capture_output=True, text=True).stdout
    assert "V:result_exists=no" in missing


def test_makefile_passes_out_result_and_secrets_by_environment() -> None:
    out = subprocess.run(
        ["make", "-n", "-o", "iso", "vm-install", "ANSWERS=a.ks", "RESULT=/root/RESULT", "OUT=/tmp/o",
         "VM_USER=azl", "VM_PASSWORD=sekrit-pw"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "--out /tmp/o" in out and "--result /root/RESULT" in out and "--user azl" in out
    assert "sekrit-pw" not in out  # exported to the tool's environment, not on its command line
    plain = subprocess.run(["make", "-n", "-o", "iso", "vm-install"], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout
    assert "--result" not in plain and "--out build/vm-install" in plain
