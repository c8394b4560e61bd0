"""An answer file opened for interactive editing (`--answers FILE --interactive`) and accepted
without a change gives back the same InstallConfig: what the screens do not show (pbkdf, cipher,
mount options, LV labels, further users and keys, wipe_in_use, partitions on a second disk) is
carried through, not silently dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from installer.backend import flow
from installer.backend.answers.load import load_file, load_text
from installer.backend.config import InstallConfig
from installer.backend.machine import Machine

REPO = Path(__file__).resolve().parents[2]
FILES = sorted([*REPO.glob("examples/*"), *REPO.glob("tests/fixtures/answers/*.yaml"),
                *REPO.glob("tests/vm/answers/*.yaml")])
FILES = [f for f in FILES if f.name not in ("invalid.yaml",)]
MACHINE = Machine.model_validate_json((REPO / "tests/fixtures/machines/two-disks.json").read_text())


def _data(cfg: InstallConfig) -> dict[str, Any]:
    data = cfg.model_dump()
    enc = data["storage"]["encryption"]
    if enc["passphrase"] is not None:
        enc["passphrase"] = enc["passphrase"].get_secret_value()
    return data


def _roundtrip(cfg: InstallConfig) -> InstallConfig:
    state = flow.from_config(cfg, MACHINE)
    return flow.to_config(state)


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_unchanged_answer_file_round_trips(path: Path) -> None:
    cfg = load_file(path).config
    got = _data(_roundtrip(cfg))
    assert got == _data(cfg)


HIDDEN = """
version: 1
storage:
  disks: [{path: /dev/sda}, {path: /dev/sdb}]
  wipe_in_use: true
  partitions:
    - {mount: /boot/efi, size: 512MiB, fs: vfat}
    - {mount: /, size: 20GiB, fs: xfs, mount_options: "noatime,nodiscard", label: root}
    - {mount: /data, size: rest, max_size: 40GiB, disk: 1}
    - {size: 10GiB, vg: vg0}
  volume_groups: [{name: vg0}]
  logical_volumes:
    - {name: scratch, vg: vg0, mount: /scratch, size: rest, max_size: 8GiB, label: scratch}
  encryption:
    enabled: true
    passphrase: "hidden-fields-Pass1"
    pbkdf: argon2id
    pbkdf_memory_kib: 65536
    key_size: 256
users:
  - name: alice
    password_hash: "HASH"
    admin: true
    uid: 1500
    shell: /bin/zsh
    groups: [adm]
    ssh_keys: ["ssh-ed25519 AAAAfirst alice@a", "ssh-ed25519 AAAAsecond alice@b"]
  - name: bob
    password_hash: "HASH"
""".replace("HASH", "$6$C2z45YjcCpdsFqzK$2FGFygn1gBiHbi2hUibIGMx.GjVElTE3ukBwdDFEJ5JH1TGd/Kbwgu."
            "vlc6/J4AFqBb4319S.Qx8GiNC/9RA6/")


def test_fields_the_screens_do_not_show_are_kept() -> None:
    cfg = load_text(HIDDEN, "hidden.yaml").config
    out = _roundtrip(cfg)
    st = out.storage
    assert st.wipe_in_use is True
    assert [d.path for d in st.disks] == ["/dev/sda", "/dev/sdb"]
    assert st.partitions is not None
    assert st.partitions[1].mount_options == "noatime,nodiscard" and st.partitions[1].label == "root"
    assert st.partitions[2].disk == 1 and st.partitions[2].max_size == "40GiB"
    assert st.logical_volumes[0].label == "scratch" and st.logical_volumes[0].max_size == "8GiB"
    assert (st.encryption.pbkdf, st.encryption.pbkdf_memory_kib, st.encryption.key_size) == ("argon2id", 65536, 256)
    assert [u.name for u in out.users] == ["alice", "bob"]
    alice = out.users[0]
    assert (alice.uid, alice.shell, alice.groups) == (1500, "/bin/zsh", ["adm"])
    assert alice.ssh_keys == ["ssh-ed25519 AAAAfirst alice@a", "ssh-ed25519 AAAAsecond alice@b"]


def test_switching_to_luks1_drops_the_argon2_settings() -> None:
    state = flow.from_config(load_text(HIDDEN, "hidden.yaml").config, MACHINE)
    state.luks_version = "luks1"
    enc = flow.to_config(state).storage.encryption
    assert enc.luks_version == "luks1" and enc.pbkdf is None and enc.pbkdf_memory_kib is None
    assert enc.key_size == 256


def test_guided_pick_never_adds_a_disk() -> None:
    text = HIDDEN.split("  partitions:")[0] + "  guided: {root_fs: ext4}\n"
    state = flow.from_config(load_text(text, "g.yaml").config, MACHINE)
    state.disk = "/dev/sdb"
    assert [d.path for d in flow.to_config(state).storage.disks] == ["/dev/sdb"]


def test_a_match_rule_shows_the_disk_it_picks_and_is_kept_unless_changed() -> None:
    text = "version: 1\nstorage:\n  disks: [{match: {rule: smallest}}]\n"
    cfg = load_text(text, "m.yaml").config
    state = flow.from_config(cfg, MACHINE)
    smallest = min(MACHINE.disks, key=lambda d: d.size).path
    assert state.disk == smallest
    assert flow.to_config(state).storage.disks[0].match is not None
    state.disk = next(d.path for d in MACHINE.disks if d.path != smallest)
    assert [d.path for d in flow.to_config(state).storage.disks] == [state.disk]
