"""`azl-installer install FILE`: plan, show it, then apply once through the engine."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from installer.backend.engine import apply
from installer.backend.errors import InstallerError, InvalidInput, RefusedForSafety
from installer.backend.sizes import SizeError, parse_size
from installer.backend.system import HostSystem, RecordingSystem, System
from installer.backend.system_dump import dump_files
from installer.cli.common import (
    EXIT_CANCELLED,
    EXIT_INVALID,
    EXIT_REFUSED,
    assume_medium_repo_for_dry_run,
    err,
    get_machine,
    load_answers,
    plan_for,
    print_issues,
    require_storage,
)
from installer.cli.render import EventFanout, JsonLines, LogFile, PlainProgress, RichProgress, strip_step

MEDIUM_MARKER = "/etc/azl-installer-medium"


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("install", help="install from an answer file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--dry-run", action="store_true", help="record what would run; touch nothing")
    p.add_argument("--machine", help="a recorded machine (JSON) instead of probing this one")
    p.add_argument("--image", help="install into this disk image file (attached as a loop device)")
    p.add_argument("--size", help="with --image: create the image with this size, e.g. 8G")
    p.add_argument("--target-root", help="directory install: payload and configuration only")
    p.add_argument("--events", help="write JSON-lines events to PATH ('-' for stdout)")
    p.add_argument("--log", help="write the timestamped log to PATH")
    p.add_argument("--record", help="dry-run: write the recorded commands and files to PATH")
    p.add_argument("--dump-files", metavar="DIR",
                   help="dry-run: write every file the install would write under DIR (DIR/target is the "
                        "target tree, with modes), beside the command transcript")
    p.add_argument("--yes", action="store_true", help="consent to erasing the planned disks")
    p.add_argument("--ignore-unsupported", action="store_true")
    p.add_argument("--run-pre", action="store_true",
                   help="kickstart: run the %%pre scripts on this system first, then read the file again"
                        + (" (install always does, except with --dry-run)" if "install" in p.prog else ""))
    p.add_argument("--storage-engine", choices=["auto", "blivet", "parted"], default="auto",
                   help="storage engine: blivet where it loads (auto, the default), else parted")
    p.set_defaults(func=run)


def _default_log() -> str:
    d = Path("/var/log/azl-installer")
    try:
        d.mkdir(parents=True, exist_ok=True)
        return str(d / "install.log") if os.access(d, os.W_OK) else "azl-installer.log"
    except OSError:
        return "azl-installer.log"


@contextlib.contextmanager
def _open_or_std(path: str | None) -> Iterator[IO[str] | None]:
    if path is None:
        yield None
    elif path == "-":
        yield sys.stdout
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yield f


def run(args: argparse.Namespace) -> int:
    if args.image and args.target_root:
        err("--image and --target-root cannot be used together")
        return EXIT_INVALID
    if args.size and not args.image:
        err("--size goes with --image")
        return EXIT_INVALID
    if args.dump_files and not args.dry_run:
        err("--dump-files goes with --dry-run")
        return EXIT_INVALID
    if args.dump_files and Path(args.dump_files).exists() and (
            not Path(args.dump_files).is_dir() or any(Path(args.dump_files).iterdir())):
        err(f"--dump-files {args.dump_files}: exists and is not an empty directory")
        return EXIT_INVALID
    try:
        loaded = load_answers(args.file, args.ignore_unsupported, run_pre=args.run_pre or not args.dry_run)
        if not args.target_root:
            require_storage(loaded)
        image_size = parse_size(args.size, "GiB") if args.size else None
    except InvalidInput as exc:
        print_issues(exc)
        return EXIT_INVALID
    except SizeError as exc:
        err(f"--size: {exc}")
        return EXIT_INVALID
    config = loaded.config
    if args.dry_run and not config.packages.repositories:
        note = assume_medium_repo_for_dry_run()
        if note:
            err(note)

    with contextlib.ExitStack() as stack:
        try:
            if args.image:
                from installer.backend.storage import image  # type: ignore[attr-defined,unused-ignore]

                image.check_image(args.image, image_size)
                if args.dry_run:
                    fake = args.image if image.is_loop_device(args.image) else "/dev/loop-dryrun"
                    machine = image.image_machine(args.image, image_size, loop=fake)
                else:
                    loop = stack.enter_context(image.attached(args.image, image_size))
                    machine = image.image_machine(args.image, image_size, loop=loop)
                config = image.target_only(config, machine)
            else:
                machine = get_machine(args.machine)
            plan = plan_for(loaded, machine, config, target_root=args.target_root,
                             directory=bool(args.target_root))
        except InvalidInput as exc:
            print_issues(exc)
            return EXIT_INVALID
        except RefusedForSafety as exc:
            err(f"refused: {exc}")
            return EXIT_REFUSED
        except InstallerError as exc:
            err(f"error: {exc}")
            return exc.exit_code

        plan = dataclasses.replace(plan, storage_engine=args.storage_engine)
        print(plan.render(), file=sys.stderr)
        if plan.destructive and not (args.yes or args.dry_run):
            err("\nrefused: this would erase or change the disks above. Re-run with --yes to consent "
                "(or --dry-run to try it safely).")
            return EXIT_REFUSED

        log_path = args.log or (None if args.dry_run else _default_log())
        fan = EventFanout()
        events_f = stack.enter_context(_open_or_std(args.events))
        if events_f is not None:
            fan.sinks.append(JsonLines(events_f))
        log_f = stack.enter_context(_open_or_std(log_path))
        if log_f is not None:
            fan.sinks.append(LogFile(log_f))
        if args.events != "-":
            fan.sinks.append(RichProgress() if sys.stderr.isatty() and os.environ.get("TERM") not in
                             ("dumb", "vt100") else PlainProgress())

        system: System = RecordingSystem() if args.dry_run else HostSystem()
        cancel = threading.Event()
        old = signal.signal(signal.SIGINT, lambda *_: cancel.set())
        try:
            result = apply(plan, config, machine, system, fan, cancel, log_path=log_path)
        finally:
            signal.signal(signal.SIGINT, old)
        if args.record and isinstance(system, RecordingSystem):
            Path(args.record).write_text(system.transcript())
        if args.dump_files and isinstance(system, RecordingSystem):
            summary = dump_files(system, plan.target_root, Path(args.dump_files))
            err(f"dry run: {summary.files} files, {summary.links} links and {summary.dirs} directories "
                f"written under {summary.directory}/target and {summary.directory}/host; commands in "
                f"{summary.directory}/commands.txt")
    if result.ok:
        _finish(config.finish, args.dry_run)
        return 0
    if result.cancelled:
        err("install cancelled; everything set up was torn down")
        return EXIT_CANCELLED
    if result.refused:
        err(f"refused: {strip_step(result.failed_step or '', result.error or '')}")
        return EXIT_REFUSED
    err(f"install failed in step '{result.failed_step}': {strip_step(result.failed_step or '', result.error or '')}")
    if log_path:
        err(f"the log is at {log_path}")
    return result.exit_code


def _finish(action: str, dry_run: bool) -> None:
    if action == "none" or dry_run:
        return
    if not os.path.exists(MEDIUM_MARKER):
        err(f"finish action '{action}' skipped: not running from the installer medium")
        return
    import subprocess

    subprocess.run(["systemctl", action], check=False)
