"""Kickstart bad input: FILE:LINE messages, unsupported commands/options, conflicts, includes,
and secrets that never appear in any message, warning or converted output."""

from __future__ import annotations

from pathlib import Path

import pytest

from installer.backend.answers.kickstart import load_kickstart
from installer.backend.answers.load import Loaded, load_file
from installer.backend.answers.native import dump_json, dump_yaml
from installer.backend.errors import InvalidInput

PASS = "Tr0ub4dor-and-3-more"


def errors(text: str, source: str = "t.ks", base_dir: Path = Path("."), **kw: bool) -> list[str]:
    with pytest.raises(InvalidInput) as ei:
        load_kickstart(text, source, base_dir=base_dir, **kw)
    return [i.format() for i in ei.value.issues]


def load(text: str, **kw: bool) -> Loaded:
    return load_kickstart(text, "t.ks", base_dir=Path("."), **kw)


@pytest.mark.parametrize(("text", "line", "needle"), [
    ("text\nfoo --bar\n", 2, "Unknown command: foo"),
    ("part / --size=100 --bogus\n", 1, "--bogus"),
    ("text\n\nautopart --type=plain --whatever\n", 3, "--whatever"),
    ("bootloader --timeout=soon\n", 1, "soon"),
    ("%post\necho never closed\n", 2, "does not end with %end"),
    ("%foo\n%end\n", 1, "Unknown kickstart section: %foo"),
    ('lang "en_US\n', 1, "No closing quotation"),
    ("auth --useshadow\n", 1, "auth has been removed"),
    ("%pre --bogus\necho\n%end\n", 1, "unrecognized arguments: --bogus"),
    ("network --bootproto=static --ip=1.2.3.4\n", 1, "--device"),
    ("network --device=eth0 --bootproto=static --ip=1.2.3 --netmask=255.255.255.0\n", 1, "is not an address"),
    ("network --device=eth0 --bootproto=static --ip=1.2.3.4 --netmask=255.0.255.0\n", 1, "--netmask"),
    ("network --hostname=bad_name\n", 1, "bad_name"),
    ("user --name=bob --uid=12\n", 1, "greater than or equal to 1000"),
    ("user --name=Bad!\n", 1, "user"),
    ("sshkey --username=nobody \"ssh-ed25519 AAAA x\"\n", 1, "no user 'nobody'"),
    ("user --name=a\nsshkey --username=a \"not-a-key\"\n", 2, "SSH key"),
    ("clearpart --all --drives=sda\npart / --size=0\n", 2, "size"),
    ("clearpart --all --drives=sda\npart /boot --size=500\n", 2, "no root"),
    ("clearpart --all --drives=sda\npart /home --size=100 --noformat\n", 2, "--noformat"),
    ("clearpart --all --drives=sda\npart pv.01 --size=100\npart / --size=10\n", 2, "not used by any volgroup"),
    ("clearpart --all --drives=sda\npart / --size=1\nvolgroup vg pv.09\n", 3, "pv.09 is not defined"),
    ("clearpart --all --drives=sda\npart pv.1 --size=1\nvolgroup vg pv.1\nlogvol / --vgname=nope --name=r --size=1\n",
     4, "no such volgroup"),
    ("ignoredisk --only-use=sda\npart / --size=100 --ondisk=sdb\n", 2, "--ondisk=sdb"),
    ("ignoredisk --drives=sda\nclearpart --all --drives=sda\nautopart\n", 1, "ignores a disk"),
    ("clearpart --all --drives=sda --disklabel=sun\nautopart\n", 1, "--disklabel"),
    ("firewall --port=imap:tcp\n", 1, "NUMBER:tcp"),
    ("%packages\n@development-tools\n%end\n", 1, "no comps groups"),
    ("%packages\n-@core\n%end\n", 1, "-@core"),
    ("%packages --nocore\n%end\n", 1, "--nocore needs"),
    ("%packages --nocore\n@core\nvim\n%end\n", 1, "contradicts"),
    ("autopart --encrypted\n", 1, "needs --passphrase"),
    ("autopart --encrypted --passphrase=short\n", 1, "at least 8"),
    ("autopart --type=btrfs\n", 1, "--type=btrfs"),
    ("autopart --fstype=ext3\n", 1, "--fstype=ext3"),
    ("part / --size=10 --fstype=ntfs\n", 1, "--fstype=ntfs"),
    ("part raid.01 --size=10\n", 1, "RAID"),
    ("bootloader --location=partition\n", 1, "--location=partition"),
    ("url --mirrorlist=http://example.com/ml\n", 1, "--mirrorlist"),
    ("url --url=nfs:server:/path\n", 1, "repository URL"),
    ("timezone Europe/Paris --ntpservers=pool.ntp.org\n", 1, "ntpservers"),
])
def test_error_names_file_and_line(text: str, line: int, needle: str) -> None:
    out = errors(text)
    assert any(o.startswith(f"t.ks:{line}:") and needle in o for o in out), out


@pytest.mark.parametrize(("text", "line", "what"), [
    ("text\nmediacheck\n", 2, "command 'mediacheck'"),
    ("sshpw --username=a --lock x\n", 1, "command 'sshpw'"),
    ("timesource --ntp-server=pool.ntp.org\n", 1, "command 'timesource'"),
    ("mediacheck\n", 1, "command 'mediacheck'"),
    ("part / --size=100 --fsprofile=largefile\n", 1, "option --fsprofile"),
    ("user --name=a --homedir=/srv/a\n", 1, "option --homedir"),
    ("network --device=eth0 --mtu=9000\n", 1, "option --mtu"),
    ("bootloader --password=grubsecret\n", 1, "option --password"),
    ("repo --name=x --baseurl=http://e/x --cost=5\n", 1, "option --cost"),
    ("firewall --trust=eth0\n", 1, "option --trust"),
    ("%packages --ignoremissing\nvim\n%end\n", 1, "option --ignoremissing of %packages"),
    ("%addon com_redhat_kdump --enable\n%end\n", 1, "section %addon"),
    ("%onerror\necho\n%end\n", 1, "section %onerror"),
    ("%pre-install\necho\n%end\n", 1, "section %pre-install"),
])
def test_unsupported_is_error_or_warning(text: str, line: int, what: str) -> None:
    out = errors(text)
    assert any(o.startswith(f"t.ks:{line}:") and what in o and "not supported" in o for o in out), out
    loaded = load(text, ignore_unsupported=True)
    assert any(w.startswith(f"line {line}:") and what in w and "ignored" in w for w in loaded.warnings)


@pytest.mark.parametrize(("text", "line", "needle"), [
    ("autopart\npart / --size=100\n", 2, "part and autopart"),
    ("part / --size=100\nautopart\n", 2, "autopart"),
    ("autopart\nreqpart\n", 2, "autopart"),
    ("network --device=eth0\nnetwork --device=eth0 --bootproto=dhcp\n", 2, "eth0"),
    ("network --hostname=a\nnetwork --hostname=b\n", 2, "hostname"),
    ("user --name=bob\nuser --name=bob --uid=1001\n", 2, "user bob is defined twice"),
    ("clearpart --all --drives=sda\npart / --size=9\npart / --size=10\n", 3, "/ is mounted twice (also at line 2"),
    ("clearpart --all --drives=sda\npart pv.1 --size=9\nvolgroup v pv.1\npart /home --size=9\n"
     "logvol /home --vgname=v --name=h --size=1\nlogvol / --vgname=v --name=r --size=1\n", 5, "/home is mounted twice"),
    ("clearpart --all --drives=sda\npart / --size=9 --encrypted --passphrase=Aaaa-1111-bbbb\n"
     "part /srv --size=9 --encrypted --passphrase=Cccc-2222-dddd\n", 3, "one passphrase"),
])
def test_conflicts_are_errors(text: str, line: int, needle: str) -> None:
    out = errors(text)
    assert any(o.startswith(f"t.ks:{line}:") and needle in o for o in out), out


@pytest.mark.parametrize(("line", "clear"), [("clearpart --none --initlabel", "none"),
                                           ("clearpart --list=sda2,sda3", "none"), ("clearpart --linux", "linux")])
def test_clearpart_none_list_linux_keep_partitions(line: str, clear: str) -> None:
    from installer.backend.answers.kickstart import load_kickstart

    c = load_kickstart(f"ignoredisk --only-use=sda\n{line}\nautopart\n", "t.ks").config
    assert [d.clear for d in c.storage.disks] == [clear]
    assert c.storage.remove == (["/dev/sda2", "/dev/sda3"] if "--list" in line else [])


@pytest.mark.parametrize(("line", "opt"), [
    ("part / --onpart=sda2 --resize --size=9", "--resize"),
    ("volgroup vg --useexisting", "--useexisting"), ("volgroup vg --noformat", "--noformat"),
    ("logvol /home --vgname=vg --name=h --useexisting", "--useexisting"),
])
def test_keep_data_options_stay_errors_even_when_ignoring(line: str, opt: str) -> None:
    for ignore in (False, True):
        out = errors(f"clearpart --all --drives=sda\n{line}\n", ignore_unsupported=ignore)
        assert any(o.startswith("t.ks:2:") and f"option {opt} of" in o and "keeps existing data" in o
                   for o in out), out


def test_noformat_without_onpart_is_an_error() -> None:
    for ignore in (False, True):
        out = errors("clearpart --none\npart /home --size=100 --noformat\n", ignore_unsupported=ignore)
        assert any(o.startswith("t.ks:2: part: --noformat") for o in out), out


def test_several_errors_reported_together() -> None:
    out = errors("foo\nbar\nmediacheck\n")
    assert [o.split(":")[1] for o in out] == ["1", "2", "3"]  # parse errors and unsupported, in one run
    assert "mediacheck" in out[2] and "not supported" in out[2]


def test_every_error_in_one_run_once_per_line(tmp_path: Path) -> None:
    """Parse errors, unsupported commands, mapping and model errors all come out together, each
    on its own line; a line pykickstart rejected gets no second message from the mappers."""
    out = errors("text\nfoo\nuser --name=ok --uid=12\nnetwork --bootproto=static --ip=1.2.3.4\n"
                 "timezone Mars/Olympus\nsshkey --username=ghost \"ssh-ed25519 AAAA x\"\n"
                 "bootloader --timeout=soon\n%include missing.ks\n", base_dir=tmp_path)
    lines = [o.split(":")[1] for o in out]
    assert lines == sorted(lines, key=int) and len(lines) == len(set(lines)), out
    assert {"2", "3", "4", "6", "7", "8"} <= set(lines), out


# ----------------------------------------------------------------------------- includes
def test_error_inside_include_names_included_file(tmp_path: Path) -> None:
    (tmp_path / "inc.ks").write_text("text\n\nnonsense-cmd\n")
    main = tmp_path / "main.ks"
    main.write_text("lang en_US.UTF-8\n%include inc.ks\ntimezone UTC\nbogus2\n")
    with pytest.raises(InvalidInput) as ei:
        load_file(main)
    out = [i.format() for i in ei.value.issues]
    # an included file's unknown line is reported without its content (issue 14: %include /etc/shadow)
    assert any(o.startswith(f"{tmp_path / 'inc.ks'}:3: %include: not a kickstart file") for o in out), out
    assert not any("nonsense-cmd" in o for o in out)
    (tmp_path / "inc.ks").write_text("text\n")  # with the include fixed, the main file's own error
    with pytest.raises(InvalidInput) as ei:
        load_file(main)
    assert f"{main}:4: Unknown command: bogus2" in [i.format() for i in ei.value.issues]


def test_include_problems(tmp_path: Path) -> None:
    (tmp_path / "loop.ks").write_text("%include loop.ks\n")
    assert any("include themselves" in o for o in errors("%include loop.ks\n", base_dir=tmp_path))
    assert any("t.ks:1: %include: %include nope.ks: cannot read" in o
               for o in errors("%include nope.ks\n", base_dir=tmp_path))
    assert any("only local files" in o for o in errors("%ksappend http://example.com/x.ks\n", base_dir=tmp_path))
    assert any("needs a file name" in o for o in errors("%include\n", base_dir=tmp_path))


def test_include_absolute_and_file_url(tmp_path: Path) -> None:
    inc = tmp_path / "abs.ks"
    inc.write_text("timezone Asia/Tokyo\n")
    assert load(f"%include {inc}\n").config.system.timezone == "Asia/Tokyo"
    assert load(f"%ksappend file://{inc}\n").config.system.timezone == "Asia/Tokyo"


# ----------------------------------------------------------------------------- secrets
SECRET_FILES = [
    f"autopart --encrypted --passphrase={PASS}\nrootpw --plaintext Root-Plain-Pw9\nbogus\n",
    f"autopart --encrypted --passphrase={PASS} --bogusopt\n",
    f"autopart --encrypted --passphrase {PASS} --luks-version=luks9\n",
    "rootpw Root-Plain-Pw9 extra-arg\n",
    "rootpw --plaintext Root-Plain-Pw9\nrootpw --plaintext Root-Plain-Pw9\n",
    f"clearpart --all --drives=sda\npart / --size=1 --encrypted --passphrase={PASS}\n"
    "part /x --size=1 --encrypted --passphrase=Other-Secret-77\n",
    "user --name=bob --password=Root-Plain-Pw9 --badopt\n",
    f"autopart --encrypted --passphrase={PASS}\nmediacheck\n",
]


@pytest.mark.parametrize("text", SECRET_FILES)
@pytest.mark.parametrize("ignore", [False, True])
def test_secrets_never_in_messages(text: str, ignore: bool) -> None:
    try:
        loaded = load(text, ignore_unsupported=ignore)
    except InvalidInput as exc:
        blob = str(exc) + repr(exc.issues)
    else:
        blob = "\n".join(loaded.warnings) + dump_yaml(loaded.config) + dump_json(loaded.config)
        blob += repr(loaded.config) + loaded.config.model_dump_json()
    for secret in (PASS, "Root-Plain-Pw9", "Other-Secret-77"):
        assert secret not in blob


def test_secret_not_in_converted_output_of_valid_file() -> None:
    loaded = load(f"clearpart --all --drives=vda\nautopart --encrypted --passphrase={PASS}\n"
                  "rootpw --plaintext Root-Plain-Pw9\n")
    out = dump_yaml(loaded.config) + dump_json(loaded.config) + "\n".join(loaded.warnings)
    assert PASS not in out and "Root-Plain-Pw9" not in out
    assert loaded.config.storage.encryption.passphrase is not None


def test_loaded_repr_holds_no_secret() -> None:
    loaded = load(f"clearpart --all --drives=vda\nautopart --encrypted --passphrase={PASS}\n"
                  "rootpw --plaintext Root-Plain-Pw9\n")
    assert PASS not in repr(loaded) and "Root-Plain-Pw9" not in repr(loaded)


def test_scrubber_replaces_whole_values_never_option_names() -> None:
    """A secret that is also a piece of an option name ('pass' in --passphrase) is replaced where
    it is a value, never inside the option's name."""
    from installer.backend.answers.mapping import Builder
    from installer.backend.secrets import REDACTED, scrub

    b = Builder("t.ks", secret_values={"pass"})
    assert b.scrub("option --passphrase=pass of 'logvol'") == f"option --passphrase={REDACTED} of 'logvol'"
    assert scrub("-p pass --pass-word", ["pass"]) == f"-p {REDACTED} --pass-word"
    assert scrub("--password=--pass", ["--pass"]) == f"--password={REDACTED}"  # a secret shaped like an option
    out = errors("clearpart --all --drives=sda\npart / --size=100\nlogvol /x --vgname=v --name=x --size=1 "
                 "--passphrase=pass\n")
    assert out and all("--[REDACTED]" not in o and "[REDACTED]phrase" not in o for o in out), out
