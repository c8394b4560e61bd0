"""Native answer files: loading, errors with positions, versions, dump-back without secrets."""

from __future__ import annotations

import pytest

from installer.backend.answers.load import load_text
from installer.backend.answers.native import dump_yaml, load_native
from installer.backend.errors import InvalidInput
from installer.backend.passwords import verify_password


def _issues(text: str) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        load_text(text, "a.yaml")
    return [i.format() for i in ei.value.issues]


def test_unknown_key_did_you_mean_with_position() -> None:
    out = _issues("version: 1\nstorage:\n  encryption:\n    enabld: true\n")
    assert out == ["a.yaml:4:5: storage.encryption.enabld: unknown key 'enabld'; did you mean 'enabled'?"]


def test_missing_and_future_version() -> None:
    assert "missing 'version' key" in _issues("system: {hostname: a}\n")[0]
    assert "newer than this installer" in _issues("version: 9\n")[0]
    assert "whole number" in _issues("version: '1'\n")[0]


def test_malformed_yaml_has_line() -> None:
    out = _issues("version: 1\nsystem: [\n")
    assert out[0].startswith("a.yaml:3:") and "not valid YAML" in out[0]


def test_wrong_type_points_at_value() -> None:
    out = _issues("version: 1\nbootloader:\n  timeout: soon\n")
    assert out[0].startswith("a.yaml:3:12: bootloader.timeout:")


def test_plain_password_is_hashed_and_never_dumped() -> None:
    cfg = load_native("version: 1\nusers:\n  - name: alice\n    password: wonderland42\n", "a.yaml")
    h = cfg.users[0].password_hash
    assert h and h.startswith("$6$") and verify_password("wonderland42", h)
    assert cfg.users[0].password is None
    assert cfg.plaintext_warnings()
    text = dump_yaml(cfg)
    assert "wonderland42" not in text and h in text


def test_passphrase_not_in_repr_or_dump() -> None:
    cfg = load_native(
        "version: 1\nstorage:\n  encryption: {enabled: true, passphrase: 'Correct-Horse-42'}\n", "a.yaml"
    )
    assert "Correct-Horse-42" not in repr(cfg)
    assert "Correct-Horse-42" not in dump_yaml(cfg)
    assert "Correct-Horse-42" not in cfg.model_dump_json()


def test_dump_round_trip_equivalent() -> None:
    text = (
        "version: 1\nstorage:\n  disks: [{path: /dev/vda}]\n  guided: {root_fs: xfs, lvm: true, swap: 2GiB}\n"
        "packages: {set: full, extra: [vim]}\nsystem: {hostname: host1, timezone: Europe/Paris}\n"
        "users: [{name: bob, password_hash: '$6$abcdefgh$Qx8Sxk1xXW3pB0fBL9PqRj5i0', admin: true}]\n"
    )
    cfg = load_native(text, "a.yaml")
    again = load_native(dump_yaml(cfg), "b.yaml")
    assert again == cfg
