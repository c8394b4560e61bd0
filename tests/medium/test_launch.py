"""The console launcher's decisions (installer.medium.launch) with a fake CLI and fake drives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from installer.medium import cmdline, launch
from installer.medium.cmdline import Finish
from tests.medium.fakes import FakeHost


class FakeCli:
    """Stands for `python -m installer ...`: records argv, answers with scripted exit codes."""

    def __init__(self, codes: dict[str, int] | None = None) -> None:
        self.codes = codes or {}
        self.calls: list[list[str]] = []

    def __call__(self, args: Sequence[str]) -> int:
        self.calls.append(list(args))
        return self.codes.get(args[0], 0)

    @property
    def verbs(self) -> list[str]:
        return [c[0] for c in self.calls]


def make(
    line: str,
    host: FakeHost,
    tmp_path: Path,
    cli: FakeCli,
    answer: str = "",
) -> tuple[launch.Launcher, list[str], list[Finish]]:
    out: list[str] = []
    finished: list[Finish] = []
    launcher = launch.Launcher(
        opts=cmdline.parse(line),
        console=launch.Console(tty="ttyS0", out=out.append, serial=None),
        run=cli,
        host=host,
        workdir=tmp_path / "run",
        read_line=lambda: answer,
        finish=finished.append,
    )
    return launcher, out, finished


def markers(out: list[str]) -> list[str]:
    return [line.split(": ", 1)[1].split()[0] for line in out if line.startswith("AZL-INSTALLER:")]


@pytest.fixture
def ks_drive(host: FakeHost, drive: Path) -> Path:
    (drive / "ks.cfg").write_text("# kickstart\n")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=KS"] = "/dev/vdb"
    return drive


def test_named_answer_file_installs_without_prompt(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    cli = FakeCli()
    la, out, fin = make("inst.ks=hd:LABEL=KS:/ks.cfg inst.cmdline inst.finish=poweroff", host, tmp_path, cli)
    assert la.main() == 0
    assert cli.verbs == ["validate", "install"]
    assert "--yes" in cli.calls[1]
    assert markers(out) == ["READY", "ANSWERS", "INSTALL", "DONE"]
    assert "AZL-INSTALLER: DONE rc=0" in out
    assert fin == [Finish.POWEROFF]


def test_named_answer_file_in_text_mode_still_no_prompt(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    cli = FakeCli()
    la, _out, _ = make("inst.ks=hd:LABEL=KS:/ks.cfg inst.text", host, tmp_path, cli)
    assert la.main() == 0
    assert cli.verbs == ["validate", "install"]


def test_invalid_answer_file_stops(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    cli = FakeCli({"validate": 2})
    la, out, fin = make("inst.ks=hd:LABEL=KS:/ks.cfg inst.cmdline", host, tmp_path, cli)
    assert la.main() == 2
    assert cli.verbs == ["validate"]
    assert any(line.startswith("AZL-INSTALLER: ERROR ks-invalid") for line in out)
    assert fin == []


def test_missing_device_stops_never_falls_back(host: FakeHost, tmp_path: Path) -> None:
    cli = FakeCli()
    la, out, _ = make("inst.ks=hd:LABEL=NOPE:/ks.cfg inst.ks.timeout=2", host, tmp_path, cli)
    assert la.main() == 2
    assert cli.calls == []  # no UI, no install
    assert any("ERROR ks-device-missing" in line for line in out)


def test_unusable_ks_value_stops(host: FakeHost, tmp_path: Path) -> None:
    cli = FakeCli()
    la, out, _ = make("inst.ks=nfs:srv:/ks.cfg inst.text", host, tmp_path, cli)
    assert la.main() == 2
    assert cli.calls == []
    assert any("ERROR cmdline-invalid" in line for line in out)


def test_oemdrv_needs_consent(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("x")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    cli = FakeCli()
    la, out, _ = make("inst.text", host, tmp_path, cli, answer="yes\n")
    assert la.main() == 0
    assert cli.verbs == ["validate", "plan", "install"]
    assert "CONSENT?" in markers(out)


def test_oemdrv_declined(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("x")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    cli = FakeCli()
    la, out, _ = make("", host, tmp_path, cli, answer="y\n")
    assert la.main() == 1
    assert "install" not in cli.verbs
    assert any("ERROR no-consent" in line for line in out)


def test_oemdrv_with_inst_cmdline_skips_consent(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("x")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    cli = FakeCli()
    la, out, _ = make("inst.cmdline", host, tmp_path, cli)
    assert la.main() == 0
    assert cli.verbs == ["validate", "install"]
    assert "CONSENT?" not in markers(out)


def test_oemdrv_invalid_file_stops(host: FakeHost, drive: Path, tmp_path: Path) -> None:
    (drive / "ks.cfg").write_text("x")
    host.devices["/dev/vdb"] = drive
    host.labels["LABEL=OEMDRV"] = "/dev/vdb"
    cli = FakeCli({"validate": 2})
    la, _out, _ = make("inst.text", host, tmp_path, cli, answer="yes\n")
    assert la.main() == 2
    assert cli.verbs == ["validate"]


def test_no_answers_text_mode_starts_ui(host: FakeHost, tmp_path: Path) -> None:
    cli = FakeCli()
    la, out, _ = make("inst.text", host, tmp_path, cli)
    assert la.main() == 0
    assert cli.calls == [["--ui", "tui"]]
    assert markers(out) == ["READY", "UI", "DONE"]


def test_no_answers_cmdline_mode_is_an_error(host: FakeHost, tmp_path: Path) -> None:
    cli = FakeCli()
    la, out, _ = make("inst.cmdline", host, tmp_path, cli)
    assert la.main() == 2
    assert cli.calls == []
    assert any("ERROR ks-missing" in line for line in out)


def test_finish_from_answer_file_events(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    class CliWithEvents(FakeCli):
        def __call__(self, args: Sequence[str]) -> int:
            if args[0] == "install":
                ev = Path(args[args.index("--events") + 1])
                ev.write_text('{"event": "plan"}\n{"event": "finished", "finish": "reboot"}\n')
            return super().__call__(args)

    la, _out, fin = make("inst.ks=hd:LABEL=KS:/ks.cfg", host, tmp_path, CliWithEvents())
    assert la.main() == 0
    assert fin == [Finish.REBOOT]


def test_finish_defaults_to_halt(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    la, _out, fin = make("inst.ks=hd:LABEL=KS:/ks.cfg", host, tmp_path, FakeCli())
    assert la.main() == 0
    assert fin == [Finish.HALT]
    assert launch.finish_from_events(tmp_path / "nope") is Finish.HALT


def test_install_failure_reports_rc(host: FakeHost, ks_drive: Path, tmp_path: Path) -> None:
    cli = FakeCli({"install": 1})
    la, out, fin = make("inst.ks=hd:LABEL=KS:/ks.cfg inst.finish=reboot", host, tmp_path, cli)
    assert la.main() == 1
    assert "AZL-INSTALLER: DONE rc=1" in out
    assert fin == []  # never reboot after a failure


def test_console_writes_markers_to_serial(tmp_path: Path) -> None:
    serial = tmp_path / "ttyS0"
    serial.write_text("")
    out: list[str] = []
    con = launch.Console(tty="tty1", out=out.append, serial=serial)
    con.marker("READY x")
    con.say("not a marker")
    assert serial.read_bytes() == b"AZL-INSTALLER: READY x\r\n"
    assert out == ["AZL-INSTALLER: READY x", "not a marker"]


def test_medium_env_links_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live_repo = tmp_path / "live" / "repo"
    live_repo.mkdir(parents=True)
    link = tmp_path / "run" / "install" / "repo"
    monkeypatch.setattr(launch, "LIVE_REPO", live_repo)
    monkeypatch.setattr(launch, "MEDIUM_REPO", str(link))
    env = launch.medium_env({})
    assert env["AZL_MEDIUM_REPO"] == str(link)
    assert link.resolve() == live_repo.resolve()
    assert launch.medium_env({"AZL_MEDIUM_REPO": "/x"})["AZL_MEDIUM_REPO"] == "/x"


def test_step_durations_are_read_from_the_event_stream(tmp_path: Path) -> None:
    from installer.medium.launch import step_durations

    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"event": "step_started", "step_id": "preflight", "ts": 1.0}\n'
        '{"event": "step_finished", "step_id": "preflight", "ok": true, "duration_s": 12.5, "ts": 2.0}\n'
        "not json\n"
        '{"event": "step_finished", "step_id": "storage", "ok": true, "duration_s": 3.25, "ts": 3.0}\n'
    )
    assert step_durations(events) == [("preflight", 12.5), ("storage", 3.25)]
    assert step_durations(tmp_path / "missing.jsonl") == []
