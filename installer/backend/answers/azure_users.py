"""Azure image config -> users, groups, scripts and AdditionalFiles (as a post script)."""

from __future__ import annotations

import base64
import posixpath
import re
import shlex
from typing import Any

from installer.backend import grammar
from installer.backend.answers.azure_common import Path_, _Az
from installer.backend.answers.azure_keys import USER
from installer.backend.answers.confined import Unreadable, file_mode

USER_KEYS = set(USER)


SHELLS = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "sh", "bash"}


def _groups(az: _Az, scp: Path_, sc: dict[str, Any]) -> set[str]:
    out: list[dict[str, Any]] = []
    for gi, g in enumerate(az.typed(sc, "Groups", list, scp, []) or []):
        gp: Path_ = (*scp, "Groups", gi)
        if not az.keys(g, {"Name", "GID"}, gp) or not isinstance(g.get("Name"), str) or not g["Name"]:
            az.err(gp, "every group needs a Name")
            continue
        d: dict[str, Any] = {"name": g["Name"]}
        gid = g.get("GID")
        if gid not in (None, ""):
            if not str(gid).isdigit():
                az.err((*gp, "GID"), f"'{gid}' is not a number")
                continue
            d["gid"] = int(gid)
        az.mark(("groups", len(out)), gp)
        out.append(d)
    if out:
        az.b.data["groups"] = out
    return {g["name"] for g in out}


def _users(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    """Groups (made before the users) and Users."""
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    _groups(az, scp, sc)
    users: list[dict[str, Any]] = []
    for ui, u in enumerate(az.typed(sc, "Users", list, scp, []) or []):
        up: Path_ = (*scp, "Users", ui)
        if not az.keys(u, USER_KEYS, up):
            continue
        name = u.get("Name")
        if not isinstance(name, str) or not name:
            az.err(up, "every user needs a Name")
            continue
        d: dict[str, Any] = {}
        pw = u.get("Password")
        if isinstance(pw, str) and pw:
            if u.get("PasswordHashed") is True:
                d["password_hash"] = pw
            else:
                b.secret_values.add(pw)
                d["password"] = pw
                az.warn((*up, "Password"), f"plaintext password of {name} was hashed; prefer PasswordHashed")
        keys = [str(k) for k in (az.typed(u, "SSHPubKeys", list, up, []) or [])]
        for kpi, rel in enumerate(az.typed(u, "SSHPubKeyPaths", list, up, []) or []):
            raw = az.read(str(rel), (*up, "SSHPubKeyPaths", kpi))
            if raw is not None:
                keys += [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines()
                         if ln.strip() and not ln.startswith("#")]
        if keys:
            d["ssh_keys"] = keys
        days = u.get("PasswordExpiresDays")
        if days not in (None, 0):  # the toolkit: 0 leaves the default
            if not isinstance(days, int) or isinstance(days, bool):
                az.err((*up, "PasswordExpiresDays"), "must be a whole number of days (-1: never expires)")
            else:
                d["password_max_days"] = days
        fields = {"Password": "password_hash" if u.get("PasswordHashed") is True else "password",
                  "SSHPubKeys": "ssh_keys", "Name": "name", "StartupCommand": "shell", "SecondaryGroups": "groups",
                  "UID": "uid"}
        if name == "root":
            for key in ("UID", "PrimaryGroup", "SecondaryGroups", "HomeDirectory", "StartupCommand"):
                if u.get(key) not in (None, "", []):
                    az.err((*up, key), f"{key} of root is not changed by azl-installer")
            b.data["root"] = d
            az.mark(("root",), up)
            for key, fld in fields.items():
                if key in u:
                    az.mark(("root", fld), (*up, key))
            continue
        if any(x["name"] == name for x in users):
            az.err((*up, "Name"), f"user {name} is defined twice")
        d["name"] = name
        if u.get("UID") not in (None, ""):
            d["uid"] = int(u["UID"]) if str(u["UID"]).isdigit() else u["UID"]
            az.mark(("users", len(users), "uid"), (*up, "UID"))
        if u.get("PrimaryGroup") not in (None, ""):
            d["primary_group"] = u["PrimaryGroup"]
            az.mark(("users", len(users), "primary_group"), (*up, "PrimaryGroup"))
        if u.get("HomeDirectory") not in (None, ""):
            d["home"] = u["HomeDirectory"]
            az.mark(("users", len(users), "home"), (*up, "HomeDirectory"))
        if u.get("StartupCommand"):
            d["shell"] = u["StartupCommand"]
        sec = [str(x) for x in (az.typed(u, "SecondaryGroups", list, up, []) or [])]
        d["admin"] = "wheel" in sec
        d["groups"] = [x for x in sec if x != "wheel"]
        az.mark(("users", len(users)), up)
        for key, fld in fields.items():
            if key in u:
                az.mark(("users", len(users), fld), (*up, key))
        for k in range(len(u.get("SSHPubKeys") or []) if isinstance(u.get("SSHPubKeys"), list) else 0):
            az.mark(("users", len(users), "ssh_keys", k), (*up, "SSHPubKeys", k))
        users.append(d)
    if users:
        b.data["users"] = users


def _interpreter(body: str) -> str:
    first = body.splitlines()[0] if body else ""
    if first.startswith("#!"):
        parts = first[2:].strip().split()
        if parts:
            return parts[0] if parts[0] != "/usr/bin/env" or len(parts) < 2 else f"/usr/bin/{parts[1]}"
    return "/bin/sh"


def _scripts(az: _Az, idx: int, sc: dict[str, Any]) -> None:
    scp: Path_ = ("SystemConfigs", idx)
    pre: list[dict[str, Any]] = []
    post: list[dict[str, Any]] = []
    files = _additional_files(az, idx, sc)
    if files:
        az.mark(("scripts", "post", len(post)), (*scp, "AdditionalFiles"))
        post.append({"body": files, "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
    if az.post_lines:
        az.mark(("scripts", "post", len(post)), az.post_lines[0][0])
        post.append({"body": "# image settings from the Azure Linux image config\nset -e\n"
                             + "".join(line + "\n" for _, line in az.post_lines),
                     "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
    for key, target, chroot in (("PreInstallScripts", pre, False), ("PostInstallScripts", post, True),
                                ("FinalizeImageScripts", post, True)):
        for si, s in enumerate(az.typed(sc, key, list, scp, []) or []):
            sp: Path_ = (*scp, key, si)
            if not az.keys(s, {"Path", "Args"}, sp) or not isinstance(s.get("Path"), str):
                az.err(sp, "every script needs a Path")
                continue
            raw = az.read(s["Path"], (*sp, "Path"))
            if raw is None:
                continue
            body = raw.decode("utf-8", "replace")
            interp = _interpreter(body)
            args = str(s.get("Args") or "")
            if args:
                if interp not in SHELLS:
                    az.err((*sp, "Args"), f"Args are supported for shell scripts only (this one runs {interp})")
                    continue
                lines = body.splitlines(True)
                head = lines[0] if lines and lines[0].startswith("#!") else ""
                body = head + f"set -- {args}\n" + "".join(lines[1:] if head else lines)
            az.mark(("scripts", "pre" if target is pre else "post", len(target)), sp)
            target.append({"body": body, "interpreter": interp, "chroot": chroot, "error_on_fail": True})
    if pre or post:
        az.b.data["scripts"] = {"pre": pre, "post": post}


def _additional_files(az: _Az, idx: int, sc: dict[str, Any]) -> str:
    """AdditionalFiles become one post script (in the target) that writes each file: the native
    answer file then carries the content and depends on no file next to it."""
    af = sc.get("AdditionalFiles")
    ap: Path_ = ("SystemConfigs", idx, "AdditionalFiles")
    if af is None:
        return ""
    if not isinstance(af, dict):
        az.err(ap, "must be an object {source: destination}")
        return ""
    out = ["# AdditionalFiles from the Azure Linux image config", "set -e"]
    for src, dst in af.items():
        fp: Path_ = (*ap, src)
        targets: list[tuple[str, str | None]] = []  # (destination, explicit mode or None: the source's)
        for item in dst if isinstance(dst, list) else [dst]:
            if isinstance(item, str):
                targets.append((item, None))
            elif isinstance(item, dict) and isinstance(item.get("Path"), str):
                perm = item.get("Permissions")
                targets.append((item["Path"], None if perm in (None, "") else str(perm)))
            else:
                az.err(fp, "the destination must be a path or {Path, Permissions}")
        raw = az.read(src, fp)
        if raw is None:
            continue
        try:  # the source's permission bits, without setuid/setgid/sticky (give Permissions for those)
            src_mode = f"{file_mode(az.base_dir, src) & 0o777:04o}"
        except Unreadable as exc:
            az.err(fp, f"file: {exc}")
            continue
        for dest, perm in targets:
            bad = grammar.path_problem(dest, "the destination")
            if bad:
                az.err(fp, bad)
                continue
            if perm is not None and not re.fullmatch(r"[0-7]{3,4}", perm):
                az.err(fp, f"Permissions {grammar.show(perm)} must be an octal mode such as 0644 or 0755")
                continue
            mode = perm or src_mode
            q = shlex.quote(dest)
            out.append(f"mkdir -p {shlex.quote(posixpath.dirname(dest))}")
            text = raw.decode("utf-8", "replace")
            plain = raw == text.encode() and text.endswith("\n") and "\r" not in text
            if plain and "\nAZL_FILE_EOF\n" not in "\n" + text:
                out += [f"cat > {q} <<'AZL_FILE_EOF'", text[:-1], "AZL_FILE_EOF"]
            else:
                out += [f"base64 -d > {q} <<'AZL_FILE_EOF'", base64.b64encode(raw).decode(), "AZL_FILE_EOF"]
            out.append(f"chmod {mode} {q}")
    return "\n".join(out) + "\n" if len(out) > 2 else ""
