"""``make vm-install ANSWERS=ks.cfg DISKS=2 DISK_SIZE=10G FIRMWARE=uefi RESULT=/root/RESULT``.

Boots the ISO in QEMU with blank disks and runs the unattended install of ANSWERS (named with
``inst.ks=`` on a throw-away drive). Then it always boots the installed disk(s) alone, types the
LUKS passphrase at the boot prompt, logs in on the serial console and prints a verification
summary from inside the installed system (the facts of :func:`scenarios.verify_installed`). With
``--result PATH`` (kickstart-tests' convention: a file the answer file's %post leaves in the
installed system, e.g. /root/RESULT holding SUCCESS) it also prints that file's content.

Exit status: 0 when the install finished (DONE rc=0), the installed system booted and the login
worked, and (with --result) the file exists; 1 otherwise; 2 for bad arguments or missing
credentials (nothing is started). Host output (disk images, serial logs with every secret
masked, result.json) goes to --out. docs/vm-install.md has the details.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from installer.backend.answers.load import Loaded, load_file
from installer.backend.errors import InvalidInput
from tests.vm import scenarios
from tests.vm.qemu import REPO, GuestError, Medium, disk_is_blank

MASK = "********"
RESULT_MAX_BYTES = 64 * 1024
ENV = {"user": "AZL_VM_USER", "password": "AZL_VM_PASSWORD", "passphrase": "AZL_VM_PASSPHRASE"}


class UsageError(Exception):
    """Bad arguments or credentials that cannot be found (exit 2). Never holds a secret."""


@dataclass
class Credentials:
    user: str
    password: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)
    source: dict[str, str] = field(default_factory=dict)
    """Where each value came from (``--user``, ``the answer file``, ...), for the summary."""

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.passphrase) if s]


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vm-install", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=Path, required=True, help="answer file (native YAML, kickstart, Azure JSON)")
    ap.add_argument("--disks", type=int, default=1, help="number of blank target disks (default 1)")
    ap.add_argument("--disk-size", default="10G", help="size of each disk, qemu-img syntax (default 10G)")
    ap.add_argument("--firmware", choices=["uefi", "bios"], default="uefi")
    ap.add_argument("--memory", type=int, default=2048, help="MiB for the installer guest")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "vm-install", help="host output directory")
    ap.add_argument("--result", default=None,
                    help="a file INSIDE the installed system whose content is printed, e.g. /root/RESULT")
    ap.add_argument("--via", choices=["inst.ks", "oemdrv", "oemdrv-menu"], default="inst.ks")
    ap.add_argument("--user", default=None, help=f"login user (default: the answer file's first admin; ${ENV['user']})")
    ap.add_argument("--password", default=None,
                    help=f"the user's password (default: the answer file's plain-text one; ${ENV['password']})")
    ap.add_argument("--passphrase", default=None,
                    help=f"LUKS passphrase (default: the answer file's; ${ENV['passphrase']})")
    ap.add_argument("--iso-info", type=Path, default=REPO / "build" / "iso-info.json")
    return ap


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and check; raise UsageError for values argparse cannot check itself."""
    args = build_parser().parse_args(argv)
    if args.disks < 1 or args.disks > 8:
        raise UsageError(f"--disks: {args.disks} is not between 1 and 8")
    if args.memory < 512:
        raise UsageError(f"--memory: {args.memory} MiB is too little for the installer (at least 512)")
    if args.result is not None and (not args.result.startswith("/") or "\n" in args.result):
        raise UsageError(
            f"--result (RESULT): '{args.result}' must be an absolute path INSIDE the installed system, "
            "e.g. /root/RESULT; the host output directory is --out (OUT)"
        )
    if not args.answers.is_file():
        raise UsageError(f"--answers (ANSWERS): no file {args.answers}")
    return args


# ----------------------------------------------------------------------------- credentials
def _ks_options(tokens: list[str]) -> tuple[dict[str, str | None], list[str]]:
    """``--name=x --iscrypted pw`` -> ({'--name': 'x', '--iscrypted': None}, ['pw'])."""
    opts: dict[str, str | None] = {}
    rest: list[str] = []
    it = iter(tokens)
    for tok in it:
        if tok.startswith("--"):
            key, eq, value = tok.partition("=")
            if eq:
                opts[key] = value
            elif key in ("--name", "--password", "--groups", "--gecos", "--shell", "--uid", "--homedir"):
                opts[key] = next(it, None)
            else:
                opts[key] = None
        else:
            rest.append(tok)
    return opts, rest


def kickstart_plain_password(text: str, user: str) -> str | None:
    """The plain-text password of ``user`` (``root``: rootpw) given in a kickstart file, if any."""
    in_section = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("%"):  # %packages/%pre/%post bodies are not commands
            in_section = s.split()[0] not in ("%end", "%include", "%ksappend")
            continue
        if in_section:
            continue
        try:
            tokens = shlex.split(s, comments=True)
        except ValueError:
            continue
        if not tokens:
            continue
        opts, rest = _ks_options(tokens[1:])
        if "--iscrypted" in opts:
            continue
        if tokens[0] == "user" and opts.get("--name") == user and opts.get("--password"):
            return opts["--password"]
        if tokens[0] == "rootpw" and user == "root" and rest:
            return rest[0]
    return None


def native_plain_password(data: Any, user: str) -> str | None:
    if not isinstance(data, dict):
        return None
    accounts = [data.get("root")] if user == "root" else [u for u in data.get("users") or [] if isinstance(u, dict)
                                                          and u.get("name") == user]
    for acc in accounts:
        if isinstance(acc, dict) and isinstance(acc.get("password"), str):
            return str(acc["password"])
    return None


def azure_plain_password(data: Any, user: str) -> str | None:
    configs = data.get("SystemConfigs") if isinstance(data, dict) else None
    for sc in configs if isinstance(configs, list) else []:
        for u in sc.get("Users") or [] if isinstance(sc, dict) else []:
            if isinstance(u, dict) and u.get("Name") == user and u.get("PasswordHashed") is not True:
                pw = u.get("Password")
                if isinstance(pw, str) and pw:
                    return pw
    return None


def plain_password(loaded: Loaded, text: str, user: str) -> str | None:
    """The loaded config keeps only the hash: read the plain password back from the raw file."""
    if loaded.format == "kickstart":
        return kickstart_plain_password(text, user)
    try:
        data = json.loads(text) if loaded.format == "azure" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None
    return azure_plain_password(data, user) if loaded.format == "azure" else native_plain_password(data, user)


def default_user(loaded: Loaded) -> str | None:
    users = loaded.config.users
    admins = [u.name for u in users if u.admin or "wheel" in u.groups]
    if admins:
        return admins[0]
    if users:
        return users[0].name
    return None if loaded.config.root.locked else "root"


def needs_passphrase(loaded: Loaded) -> bool:
    st = loaded.config.storage
    return st.encryption.enabled or any(p.encrypt for p in st.partitions or [])


def resolve_credentials(args: argparse.Namespace, loaded: Loaded, text: str,
                        env: dict[str, str] | None = None) -> Credentials:
    """--flags, then $AZL_VM_*, then the answer file. Raise UsageError naming what is missing."""
    env = dict(os.environ) if env is None else env
    src: dict[str, str] = {}

    def given(name: str) -> str | None:
        value = getattr(args, name)
        if value:
            src[name] = f"--{name}"
            return str(value)
        if env.get(ENV[name]):
            src[name] = f"${ENV[name]}"
            return env[ENV[name]]
        return None

    user = given("user")
    if user is None:
        user = default_user(loaded)
        if user is None:
            raise UsageError(f"{args.answers}: the answer file creates no user and locks root: "
                             "nobody can log in to verify the install")
        src["user"] = "the answer file (first administrator)" if user != "root" else "the answer file (root)"
    password = given("password")
    if password is None:
        password = plain_password(loaded, text, user)
        if password is None:
            raise UsageError(
                f"{args.answers}: the answer file gives only a hash of {user}'s password; "
                f"give it with --password (make VM_PASSWORD=...) or ${ENV['password']}"
            )
        src["password"] = "the answer file (plain text)"
    passphrase = given("passphrase")
    if passphrase is None and needs_passphrase(loaded):
        secret = loaded.config.storage.encryption.passphrase
        if secret is None:
            raise UsageError(f"{args.answers}: the disk is encrypted but the answer file holds no passphrase; "
                             f"give it with --passphrase (make VM_PASSPHRASE=...) or ${ENV['passphrase']}")
        passphrase = secret.get_secret_value()
        src["passphrase"] = "the answer file"
    return Credentials(user=user, password=password, passphrase=passphrase, source=src)


# ----------------------------------------------------------------------------- the run
def mask(text: str, secrets: list[str]) -> str:
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, MASK)
    return text


def mask_files(out: Path, secrets: list[str]) -> None:
    """The serial logs echo what was typed at the shell: mask every secret in them."""
    raw = [s.encode() for s in secrets if s]
    for log in out.glob("*.serial.log"):
        data = log.read_bytes()
        masked = data
        for s in sorted(raw, key=len, reverse=True):
            masked = masked.replace(s, MASK.encode())
        if masked != data:
            log.write_bytes(masked)


def result_script(path: str) -> str:
    q = shlex.quote(path)
    return (f"\necho V:result_exists=$(test -f {q} && echo yes || echo no)\n"
            f"echo V:result_b64=$(head -c {RESULT_MAX_BYTES} {q} 2>/dev/null | base64 -w0)\n")


def load_answers(path: Path) -> tuple[Loaded, str]:
    try:
        loaded = load_file(path)
    except InvalidInput as exc:
        raise UsageError(f"the answer file does not load (the installer would refuse it too):\n{exc}") from None
    return loaded, path.read_text(encoding="utf-8")


def run(args: argparse.Namespace, creds: Credentials, packages: list[str]) -> int:
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    medium = Medium.load(args.iso_info)
    summary: dict[str, object] = {"answers": str(args.answers), "user": creds.user, "credentials": creds.source}
    secrets = creds.secrets()
    try:
        result = scenarios.install(
            medium, out, args.answers.resolve(), firmware=args.firmware, disk_count=args.disks,
            disk_size=args.disk_size, memory=args.memory, via=args.via,
        )  # fmt: skip
        summary.update(marker=result.marker, detail=result.detail, install_ok=result.ok,
                       seconds_to_ready=round(result.ready_seconds, 1), seconds_install=round(result.seconds, 1))
        print(f"vm-install: install {result.marker} {result.detail} after {result.seconds:.0f} s "
              f"(installer ready at {result.ready_seconds:.0f} s)")
        if not result.ok:
            print(mask(result.guest.tail(40), secrets), file=sys.stderr)
            return 1
        written = [d for d in result.disks if not disk_is_blank(d)]
        untouched = [d.name for d in result.disks if d not in written]
        summary.update(disks_written=[d.name for d in written], disks_untouched=untouched)
        print(f"vm-install: disks written: {', '.join(d.name for d in written) or 'none'}; "
              f"untouched: {', '.join(untouched) or 'none'}")
        if not written:
            print("vm-install: FAIL: the install reported success but wrote no disk", file=sys.stderr)
            return 1
        try:
            facts = scenarios.verify_installed(
                out, written, firmware=args.firmware, user=creds.user, password=creds.password,
                passphrase=creds.passphrase, packages=packages,
                extra=result_script(args.result) if args.result else "",
            )  # fmt: skip
        except GuestError as exc:
            summary["login_ok"] = False
            print(f"vm-install: FAIL: booting the installed disk or logging in as {creds.user} failed:\n"
                  f"{mask(str(exc), secrets)}", file=sys.stderr)
            return 1
        return report(args, facts, summary)
    finally:
        mask_files(out, secrets)
        for leftover in ("ksdrive.img", "oemdrv.img"):  # copies of the answer file (with its secrets)
            (out / leftover).unlink(missing_ok=True)
        (out / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
        print(f"vm-install: results in {out}")


def report(args: argparse.Namespace, facts: scenarios.Facts, summary: dict[str, object]) -> int:
    values = {k: v for k, v in facts.values.items() if not k.startswith("result_")}
    login_ok = bool(values.get("hostname"))
    summary.update(login_ok=login_ok, boot_seconds=round(facts.boot_seconds, 1), facts=values)
    print(f"vm-install: installed system at its login prompt after {facts.boot_seconds:.0f} s; "
          f"login as {summary['user']}: {'ok' if login_ok else 'FAILED'}")
    print("verification summary (from inside the installed system):")
    for key, value in sorted(values.items()):
        print(f"  {key:18} {value}")
    ok = login_ok
    if args.result:
        exists = facts["result_exists"] == "yes"
        content = base64.b64decode(facts["result_b64"] or "").decode("utf-8", errors="replace") if exists else ""
        summary.update(result_path=args.result, result_exists=exists, result=content)
        if exists:
            print(f"RESULT {args.result}:")
            print("".join(f"  {line}\n" for line in content.splitlines()), end="")
        else:
            print(f"RESULT {args.result}: no such file in the installed system")
        ok = ok and exists
    print(f"vm-install: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        if not args.iso_info.is_file():
            raise UsageError(f"no ISO ({args.iso_info} is missing): run make iso first")
        loaded, text = load_answers(args.answers)
        creds = resolve_credentials(args, loaded, text)
    except UsageError as exc:
        print(f"vm-install: error: {exc}", file=sys.stderr)
        return 2
    return run(args, creds, list(loaded.config.packages.extra))


if __name__ == "__main__":
    sys.exit(main())
