"""Issue 14, item 3: Azure AdditionalFiles sources stay inside the config file's folder (no
absolute paths, '..' or symlinks out), are bounded regular files, and keep the source's mode or
take an explicit Permissions value (never a blanket 0644)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from installer.backend.answers.load import load_file
from installer.cli.main import main

Cap = pytest.CaptureFixture[str]


def _config(tmp_path: Path, files: dict[str, Any]) -> Path:
    p = tmp_path / "cfg" / "image.json"
    p.parent.mkdir(exist_ok=True)
    p.write_text(json.dumps({"SystemConfigs": [{"Name": "t", "AdditionalFiles": files}]}, indent=2))
    return p


@pytest.mark.parametrize("source", ["../outside.txt", "/etc/hostname", "sub/../../outside.txt", "link-out"])
def test_sources_outside_the_folder_are_refused(source: str, tmp_path: Path, capsys: Cap) -> None:
    (tmp_path / "outside.txt").write_text("host secret\n")
    p = _config(tmp_path, {source: "/etc/x"})
    (p.parent / "sub").mkdir()
    (p.parent / "link-out").symlink_to(tmp_path / "outside.txt")
    rc = main(["validate", str(p)])
    out, err = capsys.readouterr()
    assert rc == 2 and "Traceback" not in err
    assert f"{p}:6:" in err and "the answer file's folder" in err, err
    assert "host secret" not in out + err


def test_symlink_inside_the_folder_is_fine(tmp_path: Path) -> None:
    p = _config(tmp_path, {"link-in": "/etc/motd"})
    (p.parent / "real.txt").write_text("hello\n")
    (p.parent / "link-in").symlink_to(p.parent / "real.txt")
    body = load_file(p).config.scripts.post[0].body
    assert "hello" in body


@pytest.mark.parametrize(("mode", "expected"), [(0o755, "0755"), (0o600, "0600"), (0o640, "0640"), (0o4755, "0755")])
def test_source_mode_is_kept(mode: int, expected: str, tmp_path: Path) -> None:
    p = _config(tmp_path, {"tool.sh": "/usr/local/bin/tool"})
    src = p.parent / "tool.sh"
    src.write_text("#!/bin/sh\necho hi\n")
    os.chmod(src, mode)
    body = load_file(p).config.scripts.post[0].body
    assert f"chmod {expected} /usr/local/bin/tool" in body
    assert "chmod 0644" not in body


def test_explicit_permissions_win(tmp_path: Path) -> None:
    p = _config(tmp_path, {"tool.sh": [{"Path": "/usr/local/bin/tool", "Permissions": "0750"}]})
    src = p.parent / "tool.sh"
    src.write_text("#!/bin/sh\n")
    os.chmod(src, 0o600)
    assert "chmod 0750 /usr/local/bin/tool" in load_file(p).config.scripts.post[0].body


@pytest.mark.parametrize("perm", ["9999", "0o644", "12345", "-1", "644 /etc/shadow"])
def test_bad_permissions_are_refused(perm: str, tmp_path: Path, capsys: Cap) -> None:
    p = _config(tmp_path, {"f": [{"Path": "/etc/f", "Permissions": perm}]})
    (p.parent / "f").write_text("x\n")
    rc = main(["validate", str(p)])
    _out, err = capsys.readouterr()
    assert rc == 2 and f"{p}:6:" in err and "Permissions" in err, err


@pytest.mark.parametrize("dest", ["relative/x", "/etc/../x", "/etc/x\nrm -rf /", "/a b"])
def test_bad_destinations_are_refused(dest: str, tmp_path: Path, capsys: Cap) -> None:
    p = _config(tmp_path, {"f": dest})
    (p.parent / "f").write_text("x\n")
    rc = main(["validate", str(p)])
    _out, err = capsys.readouterr()
    assert rc == 2 and f"{p}:6:" in err, err


def test_fifo_source_is_refused(tmp_path: Path, capsys: Cap) -> None:
    p = _config(tmp_path, {"pipe": "/etc/x"})
    os.mkfifo(p.parent / "pipe")
    rc = main(["validate", str(p)])
    _out, err = capsys.readouterr()
    assert rc == 2 and f"{p}:6:" in err and "FIFO" in err, err
