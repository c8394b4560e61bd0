"""Anaconda's two passes: %pre runs first, then the file is read again so an %include that %pre
wrote works; without a runner the file is reported as needing %pre; failures name their exit
status and log; repeated single-use commands: the last one wins, with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from installer.backend.answers.kickstart import load_kickstart
from installer.backend.answers.kickstart_pre import NeedsPre
from installer.backend.answers.load import detect_format, load_file
from installer.backend.errors import InvalidInput
from installer.backend.prerun import PreRun
from installer.backend.system import HostSystem
from installer.cli.main import main

HASH = "$6$UMv7iitZq9GPIxaO$QuEnyVHZchm9vw7Q403ZS5AOT42T0K1l71xJXwisKpWeGVvh7P/aErf1KfsjDBFCmOqIfUYPLRnKU/VeBdVpf."
MACHINE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "machines" / "two-disks.json"

Cap = pytest.CaptureFixture[str]


def pre_ks(inc: Path, extra_pre: str = "") -> str:
    return (f"text\nrootpw --lock\n%include {inc}\ntimezone UTC --utc\n\n"
            f"%pre{extra_pre}\ncat > {inc} <<EOF\nignoredisk --only-use=vdb\nclearpart --all --drives=vdb\n"
            "autopart --type=plain\nnetwork --hostname=from-pre\nEOF\n%end\n")


def test_missing_include_written_by_pre_needs_pre(tmp_path: Path) -> None:
    inc = tmp_path / "part.ks"
    with pytest.raises(NeedsPre) as ei:
        load_kickstart(pre_ks(inc), "t.ks", base_dir=tmp_path)
    [issue] = ei.value.issues
    assert issue.line == 3 and issue.source == "t.ks"
    assert "%pre at t.ks:6" in issue.message and "--run-pre" in issue.message
    assert not inc.exists()  # nothing ran


def test_needs_pre_still_reports_syntax_errors_elsewhere(tmp_path: Path) -> None:
    text = pre_ks(tmp_path / "part.ks").replace("timezone UTC --utc", "bogus-command")
    with pytest.raises(InvalidInput) as ei:
        load_kickstart(text, "t.ks", base_dir=tmp_path)
    assert not isinstance(ei.value, NeedsPre)
    assert [i.line for i in ei.value.issues] == [3, 4]


def test_pre_runs_then_the_file_is_read_again(tmp_path: Path) -> None:
    inc = tmp_path / "part.ks"
    runner = PreRun(HostSystem())
    loaded = load_kickstart(pre_ks(inc), "t.ks", base_dir=tmp_path, run_pre=runner)
    c = loaded.config
    assert [d.path for d in c.storage.disks] == ["/dev/vdb"] and c.storage.guided is not None
    assert c.system.hostname == "from-pre"
    assert c.scripts.pre == []  # it ran before planning: the install does not run it again
    assert [o.returncode for o in runner.outcomes] == [0]
    assert any("ran 1 %pre" in n for n in loaded.notes)


def test_second_pass_sees_what_pre_changed_in_an_existing_include(tmp_path: Path) -> None:
    inc = tmp_path / "net.ks"
    inc.write_text("network --hostname=stale\n")
    text = f"text\nrootpw --lock\n%include {inc}\n%pre\necho 'network --hostname=fresh' > {inc}\n%end\n"
    assert load_kickstart(text, "t.ks", base_dir=tmp_path).config.system.hostname == "stale"
    runner = PreRun(HostSystem())
    assert load_kickstart(text, "t.ks", base_dir=tmp_path, run_pre=runner).config.system.hostname == "fresh"


def test_pre_in_an_included_file_runs(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    (tmp_path / "pre.ks").write_text(f"%pre\ntouch {mark}\n%end\n")
    load_kickstart("text\nrootpw --lock\n%include pre.ks\n", "t.ks", base_dir=tmp_path, run_pre=PreRun(HostSystem()))
    assert mark.exists()


def test_pre_erroronfail_reports_status_and_log(tmp_path: Path) -> None:
    text = "text\nrootpw --lock\n\n%pre --erroronfail --log=" + str(tmp_path / "pre.log") + \
           "\necho 'no disk found' >&2\nexit 3\n%end\n"
    with pytest.raises(InvalidInput) as ei:
        load_kickstart(text, "t.ks", base_dir=tmp_path, run_pre=PreRun(HostSystem()))
    [issue] = ei.value.issues
    assert issue.line == 4 and "%pre exited 3" in issue.message and "no disk found" in issue.message
    log = issue.message.split("its output is in ", 1)[1].split(":", 1)[0]
    assert "no disk found" in Path(log).read_text()
    assert "no disk found" in (tmp_path / "pre.log").read_text()  # its --log too
    assert oct(Path(log).parent.stat().st_mode & 0o777) == "0o700"


def test_pre_failure_without_erroronfail_continues(tmp_path: Path) -> None:
    said: list[str] = []
    text = "text\nrootpw --lock\nnetwork --hostname=still-here\n%pre\nexit 1\n%end\n"
    loaded = load_kickstart(text, "t.ks", base_dir=tmp_path, run_pre=PreRun(HostSystem(), say=said.append))
    assert loaded.config.system.hostname == "still-here"
    assert any("exited 1" in s and "continuing" in s for s in said)


def test_missing_include_without_pre_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as ei:
        load_kickstart("text\n%include nothere.ks\n", "t.ks", base_dir=tmp_path)
    assert not isinstance(ei.value, NeedsPre)
    assert "cannot read" in ei.value.issues[0].message and ei.value.issues[0].line == 2


def test_broken_ksappend_runs_no_pre(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    text = f"text\n%ksappend nothere.ks\n%pre\ntouch {mark}\n%end\n"
    with pytest.raises(InvalidInput):
        load_kickstart(text, "t.ks", base_dir=tmp_path, run_pre=PreRun(HostSystem()))
    assert not mark.exists()


def test_cli_validate_plan_and_dry_run_with_and_without_run_pre(tmp_path: Path, capsys: Cap) -> None:
    inc = tmp_path / "part.ks"
    f = tmp_path / "ks.cfg"
    f.write_text(pre_ks(inc))
    assert main(["validate", str(f)]) == 0
    out, err = capsys.readouterr()
    assert f"{f}: needs %pre" in out and f"{f}:3: %include" in err
    assert main(["plan", str(f), "--machine", str(MACHINE)]) == 2
    out, err = capsys.readouterr()
    assert "--run-pre" in err and not inc.exists()
    assert main(["install", str(f), "--dry-run", "--machine", str(MACHINE)]) == 2
    capsys.readouterr()
    assert main(["plan", str(f), "--machine", str(MACHINE), "--run-pre"]) == 0
    out, err = capsys.readouterr()
    assert "/dev/vdb" in out and "ran 1 %pre" in err
    inc.unlink()
    assert main(["install", str(f), "--dry-run", "--run-pre", "--machine", str(MACHINE)]) == 0
    assert inc.exists()


# ----------------------------------------------------------------------------- repeated commands
def test_repeated_single_use_command_last_wins_with_warning() -> None:
    loaded = load_kickstart("text\ntimezone UTC --utc\nshutdown\ntimezone Europe/Paris\nreboot\n", "t.ks",
                            base_dir=Path("."))
    assert loaded.config.finish == "reboot"
    assert loaded.config.system.timezone == "Europe/Paris"
    ws = [w for w in loaded.warnings if "replaces" in w]
    assert any("line 5: reboot" in w and "'shutdown'" in w and "line 3" in w for w in ws), ws
    assert any("line 4: timezone" in w and "line 2" in w for w in ws), ws


def test_repeated_rootpw_as_pykickstart_parses_it() -> None:
    """The second rootpw's options replace the first's; a password it does not give is kept (as
    pykickstart parses it, so as Anaconda installs it): root has the hash and is locked."""
    c = load_kickstart("rootpw --plaintext First-Password-1\nrootpw --lock\n", "t.ks", base_dir=Path(".")).config
    assert c.root.password_hash is not None and c.root.locked
    c = load_kickstart(f"rootpw --lock\nrootpw --iscrypted {HASH}\n", "t.ks", base_dir=Path(".")).config
    assert c.root.password_hash == HASH and not c.root.locked


def test_multi_commands_repeat_without_warning() -> None:
    loaded = load_kickstart("user --name=a\nuser --name=b\nnetwork --device=eth0\nnetwork --device=eth1\n",
                            "t.ks", base_dir=Path("."))
    assert not [w for w in loaded.warnings if "replaces" in w]
    assert [u.name for u in loaded.config.users] == ["a", "b"]


# ----------------------------------------------------------------------------- reading
def test_utf8_bom_kickstart_and_yaml(tmp_path: Path) -> None:
    ks = tmp_path / "bom.ks"
    ks.write_bytes(b"\xef\xbb\xbftext\nnetwork --hostname=bom-host\n")
    loaded = load_file(ks)
    assert loaded.format == "kickstart" and loaded.config.system.hostname == "bom-host"
    y = tmp_path / "bom.yaml"
    y.write_bytes(b"\xef\xbb\xbfversion: 1\nsystem:\n  hostname: bom-yaml\n")
    loaded = load_file(y)
    assert loaded.format == "native" and loaded.config.system.hostname == "bom-yaml"


def test_comment_only_file_is_kickstart() -> None:
    assert detect_format("#version=DEVEL\n# Generated by Anaconda\n\n") == "kickstart"
    assert detect_format("\ufeff# only a comment\n") == "kickstart"
    assert detect_format("") == "native"
    assert detect_format("# a YAML comment\nversion: 1\n") == "native"
