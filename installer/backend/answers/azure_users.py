"""Azure image config -> users, groups, scripts and AdditionalFiles (as a post script)."""

from __future__ import annotations

import base64
import posixpath
import shlex
from typing import Any

from installer.backend.answers.azure_common import Path_, _Az

USER_KEYS = {"Name", "UID", "Password", "PasswordHashed", "PasswordExpiresDays", "SSHPubKeys", "SSHPubKeyPaths",
             "PrimaryGroup", "SecondaryGroups", "StartupCommand", "HomeDirectory"}


SHELLS = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "sh", "bash"}


def _users(az: _Az, idx: int, sc: dict[str, Any]) -> list[str]:
    """Users and Groups; returns extra post-script lines (groupadd/usermod for new groups)."""
    b = az.b
    scp: Path_ = ("SystemConfigs", idx)
    groups = az.typed(sc, "Groups", list, scp, []) or []
    lines: list[str] = []
    new_groups: set[str] = set()
    for gi, g in enumerate(groups):
        gp: Path_ = (*scp, "Groups", gi)
        if not az.keys(g, {"Name", "GID"}, gp) or not g.get("Name"):
            az.err(gp, "every group needs a Name")
            continue
        gid = g.get("GID")
        opt = f" -g {int(gid)}" if isinstance(gid, int | str) and str(gid).isdigit() else ""
        name = shlex.quote(str(g["Name"]))
        lines.append(f"getent group {name} >/dev/null || groupadd{opt} {name}")
        new_groups.add(str(g["Name"]))
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
        if u.get("PasswordExpiresDays") not in (None, -1):
            az.warn((*up, "PasswordExpiresDays"), "password expiry is not set by azl-installer; ignored")
        fields = {"Password": "password_hash" if u.get("PasswordHashed") is True else "password",
                  "SSHPubKeys": "ssh_keys", "Name": "name", "StartupCommand": "shell", "SecondaryGroups": "groups",
                  "UID": "uid"}
        if name == "root":
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
        if u.get("PrimaryGroup") not in (None, "", name):
            az.warn((*up, "PrimaryGroup"), "a primary group other than the user's own is not supported; ignored")
        if u.get("HomeDirectory") not in (None, "", f"/home/{name}"):
            az.warn((*up, "HomeDirectory"), "home directories are /home/NAME; ignored")
        if u.get("StartupCommand"):
            d["shell"] = u["StartupCommand"]
        sec = [str(x) for x in (az.typed(u, "SecondaryGroups", list, up, []) or [])]
        d["admin"] = "wheel" in sec
        d["groups"] = [x for x in sec if x != "wheel" and x not in new_groups]
        for x in sec:
            if x in new_groups:
                lines.append(f"usermod -aG {shlex.quote(x)} {shlex.quote(name)}")
        az.mark(("users", len(users)), up)
        for key, fld in fields.items():
            if key in u:
                az.mark(("users", len(users), fld), (*up, key))
        for k in range(len(u.get("SSHPubKeys") or []) if isinstance(u.get("SSHPubKeys"), list) else 0):
            az.mark(("users", len(users), "ssh_keys", k), (*up, "SSHPubKeys", k))
        users.append(d)
    if users:
        b.data["users"] = users
    return lines


def _interpreter(body: str) -> str:
    first = body.splitlines()[0] if body else ""
    if first.startswith("#!"):
        parts = first[2:].strip().split()
        if parts:
            return parts[0] if parts[0] != "/usr/bin/env" or len(parts) < 2 else f"/usr/bin/{parts[1]}"
    return "/bin/sh"


def _scripts(az: _Az, idx: int, sc: dict[str, Any], group_lines: list[str]) -> None:
    scp: Path_ = ("SystemConfigs", idx)
    pre: list[dict[str, Any]] = []
    post: list[dict[str, Any]] = []
    files = _additional_files(az, idx, sc)
    if files:
        az.mark(("scripts", "post", len(post)), (*scp, "AdditionalFiles"))
        post.append({"body": files, "interpreter": "/bin/sh", "chroot": True, "error_on_fail": True})
    if group_lines:
        az.mark(("scripts", "post", len(post)), (*scp, "Groups"))
        post.append({"body": "# Groups from the Azure Linux image config\nset -e\n" + "\n".join(group_lines) + "\n",
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
        targets: list[tuple[str, str]] = []
        for item in dst if isinstance(dst, list) else [dst]:
            if isinstance(item, str):
                targets.append((item, "0644"))
            elif isinstance(item, dict) and isinstance(item.get("Path"), str):
                targets.append((item["Path"], str(item.get("Permissions") or "0644")))
            else:
                az.err(fp, "the destination must be a path or {Path, Permissions}")
        raw = az.read(src, fp)
        if raw is None:
            continue
        for dest, mode in targets:
            if not dest.startswith("/") or not mode.isdigit():
                az.err(fp, f"'{dest}' must be an absolute path with octal Permissions")
                continue
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
