"""Throw hundreds of mutated kickstart files at the loader and at `validate`: every one either
loads or fails with InvalidInput (exit 2) whose issues all name the file: zero tracebacks."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from installer.backend.answers.kickstart import load_kickstart
from installer.backend.errors import InvalidInput
from installer.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples").glob("*.ks"))
SECRET = "Corpus-Secret-Passphrase-7"

EXTRA_SEED = f"""text
ignoredisk --only-use=sda
clearpart --all --initlabel --drives=sda
part /boot/efi --size=600 --fstype=efi
part pv.01 --size=1 --grow --encrypted --passphrase={SECRET}
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=1 --grow
rootpw --plaintext {SECRET}
user --name=alice --groups=wheel
sshkey --username=alice "ssh-ed25519 AAAAC3Nza alice@h"
network --device=eth0 --bootproto=static --ip=192.0.2.1 --netmask=255.255.255.0
firewall --port=22:tcp
%packages --nocore
bash
%end
%pre --interpreter=/bin/bash
echo pre
%end
%post --nochroot
echo post
%end
"""

TOKENS = [
    "--size=", "--size=-5", "--size=abc", "--grow", "--maxsize=1", "--ondisk=", "--ondisk=zz", "--fstype=ntfs",
    "--encrypted", "--passphrase=", "--luks-version=luks9", "--pbkdf=scrypt", "--pbkdf-memory=1", "--type=thinp",
    "--vgname=", "--name=", "--percent=500", "--bootproto=ibft", "--ip=999.1.1.1", "--netmask=1.2.3",
    "--device=aa:bb:cc:dd:ee:ff", "--onboot=maybe", "--uid=-1", "--groups=", "--iscrypted", "--plaintext",
    "--location=mbr", "--timeout=-1", "--append=", "--port=x:y", "--service=", "--url=ftp:/x", "--baseurl=",
    "--drives=", "--only-use=", "--disklabel=", "--list=sda1", "--none", "--add-boot", "--lock", "--allow-ssh",
    "\"", "'", "#", "\\", "%", "%end", "%post", "%pre", "%packages", "%include", "%include /nonexistent",
    "%ksappend", "@core", "@^x", "-@core", "pv.99", "raid.01", "swap", "biosboot", "/", "/boot", "none",
    "autopart", "part", "logvol", "volgroup", "reqpart", "rootpw", "user", "sshkey", "network", "bootloader",
    "clearpart", "ignoredisk", "zerombr", "reboot", "halt", "text", "graphical", "repo", "url", "selinux",
    "services", "firewall", "timezone", "lang", "keyboard", "skipx", "eula", "\u00e9\u00e8", "\x00", "\t",
    "9" * 30, "a" * 300, "=", "==", "--=", "-", "--",
]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        if not lines:
            lines = [rng.choice(TOKENS)]
        op = rng.randrange(8)
        i = rng.randrange(len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            lines[i] = lines[i] + " " + rng.choice(TOKENS)
        elif op == 4:
            words = lines[i].split(" ")
            words[rng.randrange(len(words))] = rng.choice(TOKENS)
            lines[i] = " ".join(words)
        elif op == 5:
            cut = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:cut]
        elif op == 6:
            lines.insert(i, " ".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 4))))
        else:
            lines[i] = lines[i].replace("=", rng.choice(["", "==", "= ", "=\""]), 1)
    return "\n".join(lines) + ("\n" if rng.random() < 0.9 else "")


def corpus(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    bases = [p.read_text() for p in SEEDS] + [EXTRA_SEED]
    return [mutate(rng.choice(bases), rng) for _ in range(n)]


def test_seeds_are_valid() -> None:
    assert len(SEEDS) >= 3
    for p in SEEDS:
        load_kickstart(p.read_text(), str(p), base_dir=p.parent)
    load_kickstart(EXTRA_SEED, "seed.ks", base_dir=ROOT)


@pytest.mark.parametrize("ignore", [False, True])
def test_mutated_corpus_never_tracebacks(tmp_path: Path, ignore: bool) -> None:
    outcomes = {"ok": 0, "invalid": 0}
    for i, text in enumerate(corpus(300, seed=20261129 + ignore)):
        try:
            load_kickstart(text, f"m{i}.ks", base_dir=tmp_path, ignore_unsupported=ignore)
            outcomes["ok"] += 1
        except InvalidInput as exc:
            outcomes["invalid"] += 1
            assert exc.issues, text
            for issue in exc.issues:
                assert issue.source and issue.message, text
                assert SECRET not in issue.format(), text
                assert "please report" not in issue.format(), (issue.format(), text)
    assert outcomes["invalid"] > 80 and outcomes["ok"] > 5, outcomes


def test_mutated_corpus_through_cli_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for i, text in enumerate(corpus(80, seed=7)):
        f = tmp_path / f"c{i:03d}.ks"
        f.write_text(text)
        files.append(f)
    for f in files:
        rc = main(["validate", str(f)])
        out, err = capsys.readouterr()
        assert rc in (0, 2), (f.read_text(), err)
        assert "Traceback" not in out + err and SECRET not in out + err
        if rc == 2:
            assert err.startswith(f"{f}:"), err
            first = err.splitlines()[0][len(str(f)) + 1:]
            assert first.split(":")[0].isdigit() or first.startswith(" "), err
