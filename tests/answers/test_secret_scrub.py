"""Issue 14, item 5: secrets never appear in any error path, pykickstart's messages included.
Whole values are replaced (never pieces of option names), and no output gives a secret's length."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from installer.backend import secrets
from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MACHINE = ROOT / "tests" / "fixtures" / "machines" / "two-disks.json"
Cap = pytest.CaptureFixture[str]
SECRET = "Zebra-Quartz-7731"


def _validate(capsys: Cap, path: Path) -> str:
    rc = main(["validate", str(path)])
    out, err = capsys.readouterr()
    text = out + err
    assert rc == 2, text
    assert "Traceback" not in text
    assert SECRET not in text, text
    assert "--[REDACTED]" not in text and "-[REDACTED]" not in text, text
    for piece in (SECRET[:8], SECRET[-8:]):  # no part of it either
        assert piece not in text, text
    return err


@pytest.mark.parametrize(("line", "option"), [
    (f"rootpw --plaintext={SECRET}", "--plaintext"),
    (f"rootpw --iscrypted={SECRET}", "--iscrypted"),
    (f"rootpw --lock={SECRET}", "--lock"),
    (f"user --name=bob --passwd={SECRET}", "--passwd"),
    (f"user --name=bob --passwd {SECRET}", "--passwd"),
    (f"user --name=bob --pasword={SECRET}", "--pasword"),
    (f"user --name=bob --plaintext={SECRET}", "--plaintext"),
    (f"autopart --encrypted --pasphrase={SECRET}", "--pasphrase"),
    (f"autopart --encrypted --passphrase={SECRET} --luks-version=luks9", "luks9"),
    (f"autopart --encrypted --passphrase {SECRET} --bogus", "--bogus"),
    (f"sshpw --username=admin --plaintext={SECRET} extra", "--plaintext"),
    (f"bootloader --pasword={SECRET}", "--pasword"),
])
def test_kickstart_messages_never_show_the_secret(line: str, option: str, tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "s.ks"
    p.write_text(f"clearpart --all\n{line}\n")
    err = _validate(capsys, p)
    assert f"{p}:2:" in err, err  # the error is still reported, at its line
    assert option in err, err  # the option's name is kept whole


def test_kickstart_included_file_secret(tmp_path: Path, capsys: Cap) -> None:
    (tmp_path / "inc.ks").write_text(f"rootpw --plaintext={SECRET}\n")
    p = tmp_path / "main.ks"
    p.write_text("clearpart --all\n%include inc.ks\n")
    err = _validate(capsys, p)
    assert "--plaintext" in err


@pytest.mark.parametrize("doc", [
    f'version: 1\nstorage:\n  encryption: {{enabled: true, passphrase "{SECRET}"}}\n',
    f"version: 1\nstorage:\n  encryption: {{enabled: true, passphrase {SECRET}}}\n",
    f'version: 1\nusers:\n  - {{name: bob, password "{SECRET}"}}\n',
    f"version: 1\nroot: {{password={SECRET}}}\n",
    f"version: 1\nroot:\n  pasword: {SECRET}\n  x: [\n",
])
def test_yaml_key_missing_its_colon_hides_the_value(doc: str, tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(doc)
    err = _validate(capsys, p)
    assert f"{p}:" in err


def test_run_in_key_is_named_without_its_value(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(f'version: 1\nstorage:\n  encryption: {{enabled: true, passphrase "{SECRET}"}}\n')
    err = _validate(capsys, p)
    assert f"{p}:3:31: storage.encryption.passphrase [REDACTED]: unknown key 'passphrase [REDACTED]'" in err, err


def test_azure_password_errors_hide_the_value(tmp_path: Path, capsys: Cap) -> None:
    p = tmp_path / "a.json"
    p.write_text(f'{{"SystemConfigs": [{{"Name": "t", "Users": [{{"Name": "root", "Password": "{SECRET}", '
                 f'"PasswordHashed": true}}], "Encryption": {{"Enable": true, "Password": "{SECRET}", '
                 '"Bogus": 1}}]}')
    _validate(capsys, p)


def test_secret_too_long_is_refused_without_echo(tmp_path: Path, capsys: Cap) -> None:
    long_secret = SECRET * 40  # 680 characters
    p = tmp_path / "long.yaml"
    p.write_text(f"version: 1\nroot:\n  password: '{long_secret}'\n")
    err = _validate(capsys, p)
    assert f"{p}:3:" in err and "256" in err


def test_dry_run_transcript_never_shows_a_secret_length(tmp_path: Path, capsys: Cap) -> None:
    record = tmp_path / "record.txt"
    events = tmp_path / "events.jsonl"
    rc = main(["install", "--dry-run", "--machine", str(MACHINE), "--record", str(record), "--events", str(events),
               "--yes", str(ROOT / "examples" / "core-luks-uefi.yaml")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    passphrase = "Unlock-Me-At-Boot-42"
    for text in (record.read_text(), events.read_text(), out, err):
        assert passphrase not in text
        assert not re.search(r"stdin: \d+", text), re.findall(r".{40}stdin: \d+.{10}", text)
        assert f"{len(passphrase)} chars" not in text
    assert "<stdin: hidden>" in record.read_text()


def test_redact_replaces_whole_values_not_option_names() -> None:
    secrets.register("crypted-Value-99")
    try:
        text = secrets.redact("argument --iscrypted: ignored explicit argument 'crypted-Value-99'")
        assert text == "argument --iscrypted: ignored explicit argument '[REDACTED]'"
    finally:
        secrets.clear()
