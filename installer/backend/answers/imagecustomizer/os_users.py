"""Image Customizer ``os.users`` and ``os.groups``: name, uid, password (locked, plain-text, hashed,
or either from a file next to the config), passwordExpiresDays, sshPublicKeys and
sshPublicKeyPaths, primaryGroup, secondaryGroups (wheel: an administrator), startupCommand,
homeDirectory; groups with name and gid."""

from __future__ import annotations

from typing import Any

from installer.backend.answers.imagecustomizer.common import Ic, Path_

USER_KEYS = {"name", "uid", "password", "passwordExpiresDays", "sshPublicKeyPaths", "sshPublicKeys", "primaryGroup",
             "secondaryGroups", "startupCommand", "homeDirectory"}
PASSWORD_TYPES = {"locked", "plain-text", "hashed", "plain-text-file", "hashed-file"}


def _password(ic: Ic, u: dict[str, Any], up: Path_, name: str, d: dict[str, Any]) -> None:
    pp: Path_ = (*up, "password")
    pw = ic.obj(u.get("password"), {"type", "value"}, pp)
    if not pw:
        return
    kind = pw.get("type")
    value = pw.get("value")
    if kind not in PASSWORD_TYPES:
        ic.err((*pp, "type"), f"'{kind}': use locked, plain-text, hashed, plain-text-file or hashed-file")
        return
    if kind == "locked":
        if value not in (None, ""):
            ic.err((*pp, "value"), "a locked password has no value")
        if name == "root":
            d["lock"] = True
        return
    if not isinstance(value, str) or not value:
        ic.err((*pp, "value"), f"a {kind} password needs a value")
        return
    if kind.endswith("-file"):
        raw = ic.read(value, (*pp, "value"), "password file")
        if raw is None:
            return
        value = raw.decode("utf-8", "replace").rstrip("\n")
        if not value:
            ic.err((*pp, "value"), f"the password file {value!r} is empty")
            return
    if kind.startswith("hashed"):
        d["password_hash"] = value
    else:
        ic.b.secret_values.add(value)
        d["password"] = value
        ic.warn(pp, f"plaintext password of {name} was hashed; prefer type hashed")


def map_users(ic: Ic, os_in: dict[str, Any]) -> None:
    op: Path_ = ("os",)
    groups: list[dict[str, Any]] = []
    for gi, g_raw in enumerate(ic.get(os_in, "groups", list, op, []) or []):
        gp: Path_ = (*op, "groups", gi)
        g = ic.obj(g_raw, {"name", "gid"}, gp)
        if g is None:
            continue
        if not isinstance(g.get("name"), str) or not g["name"]:
            ic.err(gp, "every group needs a name")
            continue
        gd: dict[str, Any] = {"name": g["name"]}
        gid = ic.get(g, "gid", int, gp)
        if gid is not None:
            gd["gid"] = gid
        ic.mark(("groups", len(groups)), gp)
        groups.append(gd)
    if groups:
        ic.b.data["groups"] = groups
    users: list[dict[str, Any]] = []
    for ui, u_raw in enumerate(ic.get(os_in, "users", list, op, []) or []):
        up: Path_ = (*op, "users", ui)
        u = ic.obj(u_raw, USER_KEYS, up)
        if u is None:
            continue
        name = u.get("name")
        if not isinstance(name, str) or not name:
            ic.err(up, "every user needs a name")
            continue
        d: dict[str, Any] = {}
        _password(ic, u, up, name, d)
        keys = ic.strings(u, "sshPublicKeys", up)
        for ki, rel in enumerate(ic.strings(u, "sshPublicKeyPaths", up)):
            raw = ic.read(rel, (*up, "sshPublicKeyPaths", ki), "SSH public key file")
            if raw is not None:
                keys += [ln.strip() for ln in raw.decode("utf-8", "replace").splitlines()
                         if ln.strip() and not ln.lstrip().startswith("#")]
        if keys:
            d["ssh_keys"] = keys
        days = ic.get(u, "passwordExpiresDays", int, up)
        if days is not None:
            d["password_max_days"] = days
        if name == "root":
            for key in ("uid", "primaryGroup", "secondaryGroups", "homeDirectory", "startupCommand"):
                if u.get(key) not in (None, "", []):
                    ic.err((*up, key), f"{key} of root is not changed by azl-installer")
            ic.b.data["root"] = d
            ic.mark(("root",), up)
            continue
        if any(x["name"] == name for x in users):
            ic.err((*up, "name"), f"user {name} is defined twice")
        d["name"] = name
        at = len(users)
        for key, field, kind in (("uid", "uid", int), ("primaryGroup", "primary_group", str),
                                 ("homeDirectory", "home", str), ("startupCommand", "shell", str)):
            v = ic.get(u, key, kind, up)
            if v not in (None, ""):
                d[field] = v
                ic.mark(("users", at, field), (*up, key))
        if days is not None:
            ic.mark(("users", at, "password_max_days"), (*up, "passwordExpiresDays"))
        sec = ic.strings(u, "secondaryGroups", up)
        d["admin"] = "wheel" in sec
        d["groups"] = [x for x in sec if x != "wheel"]
        ic.mark(("users", at), up)
        for key, fields in (("name", ("name",)), ("sshPublicKeys", ("ssh_keys",)), ("secondaryGroups", ("groups",)),
                            ("password", ("password", "password_hash"))):
            if key in u:  # errors about these values point at their own lines
                where = (*up, key, "value") if key == "password" and isinstance(u[key], dict) else (*up, key)
                for field in fields:
                    ic.mark(("users", at, field), where)
        users.append(d)
    if users:
        ic.b.data["users"] = users
