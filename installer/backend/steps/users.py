"""Step 'users': accounts with useradd/usermod/chpasswd --root (hashes on stdin, never in argv),
groups, wheel for admins with a sudoers drop-in, authorized_keys (700/600, owned by the user),
root locked unless configured, and /etc/shadow keeping the mode the distribution ships."""

from __future__ import annotations

from typing import Any

from installer.backend.config import Group, InstallConfig, Root, User
from installer.backend.errors import StepFailed
from installer.backend.steps.base import Step, StepContext
from installer.backend.steps.registry import PlanInfo, Planned

SUDOERS_DROPIN = "/etc/sudoers.d/10-azl-installer-wheel"
SUDOERS_TEXT = "# written by azl-installer: members of wheel may run any command\n%wheel ALL=(ALL) ALL\n"
SSHD_ROOT_DROPIN = "/etc/ssh/sshd_config.d/50-azl-installer-root.conf"
SHADOW_FILES = ("/etc/shadow", "/etc/gshadow")


def _parse_ids(text: str, name: str) -> tuple[int, int, str] | None:
    for line in text.splitlines():
        f = line.split(":")
        if len(f) >= 6 and f[0] == name:
            return int(f[2]), int(f[3]), f[5]
    return None


def _group_names(text: str) -> set[str]:
    return {ln.split(":", 1)[0] for ln in text.splitlines() if ln.strip()}


class Users:
    def __init__(self, users: list[User], root: Root, groups: list[Group] | None = None) -> None:
        self.users = users
        self.root = root
        self.groups = groups or []

    def _read(self, ctx: StepContext, rel: str) -> str:
        try:
            return ctx.system.read_file(ctx.path(rel))
        except (FileNotFoundError, OSError):
            return ""

    def _stat(self, ctx: StepContext, rel: str) -> str | None:
        r = ctx.system.run(["stat", "-c", "%a %u %g", ctx.path(rel)], check=False)
        return r.stdout.strip() or None if r.returncode == 0 else None

    def _ids(self, ctx: StepContext, name: str, fallback: int, home: str | None = None) -> tuple[int, int, str]:
        got = _parse_ids(self._read(ctx, "/etc/passwd"), name)
        if got is None:  # dry-run: nothing was really created
            return fallback, fallback, "/root" if name == "root" else home or f"/home/{name}"
        return got

    def _authorized_keys(self, ctx: StepContext, name: str, keys: list[str], fallback: int,
                         home_dir: str | None = None) -> None:
        uid, gid, home = self._ids(ctx, name, fallback, home_dir)
        d = ctx.path(home, ".ssh")
        ctx.system.makedirs(d, mode=0o700)
        ctx.system.chmod(d, 0o700)
        ctx.system.chown(d, uid, gid)
        ctx.system.write_file(f"{d}/authorized_keys", "".join(k.strip() + "\n" for k in keys), mode=0o600,
                              owner=(uid, gid))

    def _set_hash(self, ctx: StepContext, name: str, pw_hash: str) -> None:
        ctx.system.run(["chpasswd", "--root", ctx.target_root, "-e"], input=f"{name}:{pw_hash}\n")

    def _user(self, ctx: StepContext, u: User, index: int) -> None:
        root = ctx.target_root
        groups = list(dict.fromkeys(u.groups + (["wheel"] if u.admin else [])))
        known = _group_names(self._read(ctx, "/etc/group"))
        for g in groups:
            if known and g not in known:
                ctx.system.run(["groupadd", "--root", root, *(["--system"] if g == "wheel" else []), g])
                known.add(g)
        exists = _parse_ids(self._read(ctx, "/etc/passwd"), u.name) is not None
        argv = ["usermod" if exists else "useradd", "--root", root]
        if not exists:
            argv += ["--create-home"] + ([] if u.primary_group else ["--user-group"])
        if u.primary_group:
            argv += ["--gid", u.primary_group]
        if u.home:
            argv += ["--home-dir" if not exists else "--home", u.home] + (["--move-home"] if exists else [])
        if u.full_name:
            argv += ["--comment", u.full_name]
        argv += ["--shell", u.shell]
        if u.uid is not None:
            argv += ["--uid", str(u.uid)]
        if groups:
            argv += (["--append"] if exists else []) + ["--groups", ",".join(groups)]
        try:
            ctx.system.run([*argv, u.name])
        except Exception as exc:
            raise StepFailed(ctx.step_id, f"create user {u.name}", str(exc)) from exc
        if u.password_hash:
            self._set_hash(ctx, u.name, u.password_hash)
        if u.password_max_days is not None:
            ctx.system.run(["chage", "--root", root, "--maxdays", str(u.password_max_days), u.name])
        if u.ssh_keys:
            self._authorized_keys(ctx, u.name, u.ssh_keys, u.uid or 1000 + index, u.home)

    def _root(self, ctx: StepContext) -> None:
        r = self.root
        if r.password_hash:
            self._set_hash(ctx, "root", r.password_hash)
        if r.locked:
            ctx.system.run(["usermod", "--root", ctx.target_root, "--lock", "root"])
        if r.password_max_days is not None:
            ctx.system.run(["chage", "--root", ctx.target_root, "--maxdays", str(r.password_max_days), "root"])
        if r.ssh_keys:
            self._authorized_keys(ctx, "root", r.ssh_keys, 0)
        if r.allow_ssh:
            from installer.backend.sysconfig.files import sshd_root_login

            ctx.system.write_file(ctx.path(SSHD_ROOT_DROPIN), sshd_root_login())

    def _groups(self, ctx: StepContext) -> None:
        known = _group_names(self._read(ctx, "/etc/group"))
        for g in self.groups:
            if g.name in known:
                if g.gid is not None:
                    ctx.system.run(["groupmod", "--root", ctx.target_root, "--gid", str(g.gid), g.name])
                continue
            ctx.system.run(["groupadd", "--root", ctx.target_root,
                            *(["--gid", str(g.gid)] if g.gid is not None else []), g.name])
            known.add(g.name)

    def run(self, ctx: StepContext) -> None:
        before = {f: self._stat(ctx, f) for f in SHADOW_FILES}
        self._groups(ctx)
        for i, u in enumerate(self.users):
            ctx.check_cancel()
            ctx.progress(i / (len(self.users) + 1), f"user {u.name}")
            self._user(ctx, u, i)
        if any(u.admin for u in self.users):
            ctx.system.makedirs(ctx.path("/etc/sudoers.d"), mode=0o750)
            ctx.system.write_file(ctx.path(SUDOERS_DROPIN), SUDOERS_TEXT, mode=0o440)
        self._root(ctx)
        for f, st in before.items():  # keep the distribution's mode and owner for the shadow files
            now = self._stat(ctx, f)
            if st and now and now != st:
                mode, uid, gid = st.split()
                ctx.system.chmod(ctx.path(f), int(mode, 8))
                ctx.system.chown(ctx.path(f), int(uid), int(gid))
                ctx.log(f"restored {f} to mode {mode} owner {uid}:{gid}")

    def describe(self) -> dict[str, Any]:
        return {
            "groups": [{"name": g.name, "gid": g.gid} for g in self.groups],
            "users": [{"name": u.name, "admin": u.admin, "groups": u.groups, "ssh_keys": len(u.ssh_keys),
                       "password": "hash" if u.password_hash else "none"} for u in self.users],
            "root": {"locked": self.root.locked, "password": "hash" if self.root.password_hash else "none",
                     "ssh_keys": len(self.root.ssh_keys)},
        }


def _summary(config: InstallConfig) -> list[str]:
    lines = [f"group {g.name}" + (f" (gid {g.gid})" if g.gid is not None else "") for g in config.groups]
    lines += [f"user {u.name}" + (" (administrator, wheel)" if u.admin else "") for u in config.users]
    lines.append("root " + ("locked" if config.root.locked else "password set"))
    return lines


def plan(info: PlanInfo) -> Planned | None:
    c = info.config
    return Planned(Step("users", "Create users", 2, _summary(c), Users(list(c.users), c.root, list(c.groups))))
