"""Issue 14, items 3 and 4: bounded input. Every case exits 2 with FILE:LINE, quickly (checked as
CPU time with a wide margin), and never prints another file's content."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import pytest

from installer.backend.answers.bounds import MAX_FILE_BYTES, MAX_LINE_CHARS
from installer.cli.main import main

Cap = pytest.CaptureFixture[str]
ALIAS_BOMB = ('version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
              + "".join(f"{chr(c)}: &{chr(c)} [" + ",".join([f"*{chr(c - 1)}"] * 9) + "]\n"
                        for c in range(ord("b"), ord("j"))))


def refused(capsys: Cap, path: Path, where: str, *needles: str, cpu_limit: float = 2.0) -> str:
    t = time.process_time()
    rc = main(["validate", str(path)])
    cpu = time.process_time() - t
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    assert rc == 2, out + err
    assert where in err, err
    for n in needles:
        assert n in err, err
    assert cpu < cpu_limit, f"{cpu:.2f} s of CPU"
    return err


def test_alias_bomb_fails_fast(tmp_path: Path, capsys: Cap) -> None:
    assert len(ALIAS_BOMB) < 400
    p = tmp_path / "bomb.yaml"
    p.write_text(ALIAS_BOMB)
    refused(capsys, p, f"{p}:", "aliases expanded", cpu_limit=1.0)


def test_a_few_aliases_are_fine(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "anchors.yaml"
    p.write_text("version: 1\npackages:\n  extra: &x [vim, tmux]\n  exclude: []\nx-note: *x\n")
    main(["validate", str(p)])
    _out, err = capsys.readouterr()
    assert "aliases expanded" not in err and "x-note" in err  # only the unknown key is reported


@pytest.mark.parametrize("fmt", ["yaml", "json-native", "azure"])
def test_deep_nesting(fmt: str, tmp_path: Path, capsys: Cap) -> None:
    deep = "[" * 1000 + "]" * 1000
    if fmt == "yaml":
        text = f"version: 1\nx: {deep}\n"
    elif fmt == "json-native":
        text = '{"version": 1,\n "x": ' + deep + "}\n"
    else:
        text = '{"SystemConfigs": [{"Name": "t"}],\n "x": ' + deep + "}\n"
    p = tmp_path / f"deep.{fmt}"
    p.write_text(text)
    refused(capsys, p, f"{p}:2:", "nested more than 32 levels")


@pytest.mark.parametrize(("doc", "line", "needle"), [
    ("version: 1\nbootloader:\n  timeout: !!int e\n", 3, "cannot be read as int"),
    ("version: 1\nbootloader:\n  timeout: " + "9" * 4400 + "\n", 3, "more than 30 digits"),
    ("version: 1\nbootloader:\n  timeout: 2001-02-30\n", 3, "cannot be read as timestamp"),
    ("version: 1\nbootloader:\n  timeout: !!bool maybe\n", 3, "cannot be read as bool"),
    ("version: 1\nbootloader:\n  timeout: !!float e\n", 3, "cannot be read as float"),
    ("version: 1\nbootloader:\n  timeout: !!python/object:os.system x\n", 3, "constructor"),
    ("version: 1\nstorage:\n  guided:\n    swap: " + "9" * 400 + "MiB\n", 4, "size"),
    ("version: 1\nstorage:\n  partitions:\n    - {mount: /, size: '" + "9" * 400 + "%'}\n", 4, "percentage"),
    ("version: 1\nstorage:\n  encryption:\n    key_size: 99999999999999999999\n", 4, "key_size"),
    ("version: 1\nx: &a [*a]\n", 2, "contains it"),
])
def test_odd_yaml_values(doc: str, line: int, needle: str, tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "odd.yaml"
    p.write_text(doc)
    refused(capsys, p, f"{p}:{line}", needle)


def test_azure_big_integer(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "big.json"
    p.write_text('{"SystemConfigs": [{"Name": "t",\n "Users": [{"Name": "bob", "UID": ' + "9" * 4400 + "}]}]}\n")
    refused(capsys, p, f"{p}:2:", "more than 30 digits")


def test_password_over_512_characters(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "pw.yaml"
    p.write_text("version: 1\nroot:\n  password: '" + "Ab1!" * 150 + "'\n")
    refused(capsys, p, f"{p}:3:", "at most 256 characters")


def test_kickstart_password_over_512_characters(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "pw.ks"
    p.write_text("clearpart --all\nrootpw --plaintext " + "Ab1!" * 150 + "\n")
    refused(capsys, p, f"{p}:2:", "at most 256 characters")


def test_answer_file_size_cap(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "big.yaml"
    p.write_text("version: 1\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    refused(capsys, p, f"{p}", f"larger than {MAX_FILE_BYTES} bytes")


@pytest.mark.parametrize("name", ["long.yaml", "long.ks", "long.json"])
def test_line_cap(name: str, tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / name
    if name.endswith(".ks"):
        p.write_text('clearpart --all\nbootloader --append="' + "a " * 300_000 + '"\n')
    elif name.endswith(".json"):
        p.write_text('{"version": 1,\n "x": "' + "a" * 600_000 + '"}\n')
    else:
        p.write_text("version: 1\nx: " + "a" * 600_000 + "\n")
    refused(capsys, p, f"{p}:2:", f"longer than {MAX_LINE_CHARS} characters", cpu_limit=1.0)


def test_long_kickstart_line_under_the_cap_is_fast(tmp_path: Path, capsys: Cap) -> None:
    """Tokenising is linear: a line just under the cap parses in well under a second (shlex
    took about 0.06 s for 64 KiB and grows with the square of the length)."""
    p = tmp_path / "ok.ks"
    body = "x" * (MAX_LINE_CHARS - 100)
    p.write_text(f'clearpart --all\nautopart\nrootpw --lock\nbootloader --append="a={body}"\n')
    t = time.process_time()
    main(["validate", str(p)])
    capsys.readouterr()
    assert time.process_time() - t < 1.0


def test_nul_and_control_characters(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "nul.ks"
    p.write_bytes(b"clearpart --all\n%include /tmp/x\x00y\n")
    refused(capsys, p, f"{p}:2:16:", "NUL")
    p = tmp_path / "esc.yaml"
    p.write_bytes(b"version: 1\nsystem:\n  hostname: a\x1bb\n")
    refused(capsys, p, f"{p}:3:14:", "U+001B")


# ----------------------------------------------------------------------------- included files
SHADOW_LIKE = "root:$6$not-a-real-hash$abcdefghijklmnop:20000:0:99999:7:::\nsecretuser:!:20000::::::\n"


def test_include_never_echoes_the_file(tmp_path: Path, capsys: Cap) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(SHADOW_LIKE)
    p = tmp_path / "main.ks"
    p.write_text(f"clearpart --all\n%include {secret}\n")
    err = refused(capsys, p, f"{secret}:1:", "not a kickstart", f"included by {p}:2")
    for word in ("not-a-real-hash", "secretuser", "99999", "root:"):
        assert word not in err, err


def test_include_in_packages_never_echoes_the_file(tmp_path: Path, capsys: Cap) -> None:
    secret = tmp_path / "token"
    secret.write_text("api-token: Qm9vbS1zZWNyZXQtdG9rZW4=\n")
    p = tmp_path / "main.ks"
    p.write_text(f"clearpart --all\nautopart\nrootpw --lock\n%packages\n%include {secret}\n%end\n")
    err = refused(capsys, p, f"{secret}:1:", "not a kickstart")
    assert "Qm9vbS1" not in err and "api-token" not in err


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "directory", "too-big", "not-utf8", "nul-inside"])
def test_include_only_bounded_regular_files(kind: str, tmp_path: Path, capsys: Cap) -> None:
    target = tmp_path / "inc"
    if kind == "/dev/zero":
        target = Path("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    elif kind == "too-big":
        target.write_text("# x\n" * (MAX_FILE_BYTES // 4 + 1))
    elif kind == "not-utf8":
        target.write_bytes(b"part / --size=1\n\xff\xfe\n")
    else:
        target.write_bytes(b"part / --size=1\x00\n")
    p = tmp_path / "main.ks"
    p.write_text(f"clearpart --all\n%include {target}\n")
    refused(capsys, p, f"{p}:2:", "%include", cpu_limit=1.0)


@pytest.mark.parametrize("where", ["/dev/zero", "device-in-folder"])
def test_azure_package_list_from_dev_zero(where: str, tmp_path: Path, capsys: Cap) -> None:
    if where == "device-in-folder":  # a /dev/zero twin inside the config's folder (we are root)
        os.mknod(tmp_path / "zero", stat.S_IFCHR | 0o666, os.makedev(1, 5))
        where, needle = "zero", "a character device"
    else:
        needle = "outside the answer file's folder"
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"SystemConfigs": [{"Name": "t", "PackageLists": [where]}]}, indent=2))
    refused(capsys, p, f"{p}:6:", needle, cpu_limit=1.0)


@pytest.mark.parametrize("key", ["SSHPubKeyPaths", "Scripts"])
def test_azure_referenced_fifo(key: str, tmp_path: Path, capsys: Cap) -> None:
    os.mkfifo(tmp_path / "pipe")
    if key == "SSHPubKeyPaths":
        sc = {"Name": "t", "Users": [{"Name": "bob", "SSHPubKeyPaths": ["pipe"]}]}
    else:
        sc = {"Name": "t", "PostInstallScripts": [{"Path": "pipe"}]}
    p = tmp_path / "a.json"
    p.write_text(json.dumps({"SystemConfigs": [sc]}, indent=2))
    refused(capsys, p, f"{p}:", "FIFO", cpu_limit=1.0)
