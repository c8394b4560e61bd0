"""InstallConfig's accounts: users and root. Plain passwords are hashed as soon as a model is built."""

from __future__ import annotations

import re

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator

from installer.backend import validate
from installer.backend.config_base import _Model, _register_secret
from installer.backend.config_fields import AbsPath, FullName, GroupName, HomeDir, PasswordHash, SshKey
from installer.backend.passwords import hash_password, looks_like_hash


class _Account(_Model):
    password: SecretStr | None = Field(
        None, description="Plain password: hashed on load, with a warning. Prefer password_hash."
    )
    password_hash: PasswordHash | None = Field(None, description="A crypt(3) hash, e.g. from mkpasswd.")
    ssh_keys: list[SshKey] = Field(default_factory=list)
    password_max_days: int | None = Field(
        None, ge=-1, le=99999, description="chage --maxdays: days until the password must change (-1: never)."
    )

    _plain_warning: bool = PrivateAttr(False)

    @field_validator("password")
    @classmethod
    def _reg(cls, v: SecretStr | None) -> SecretStr | None:
        _register_secret(v)
        bad = validate.secret_problem(v.get_secret_value()) if v is not None else None
        if bad is not None:
            raise ValueError(bad.message)
        return v

    @field_validator("password_hash")
    @classmethod
    def _hash_shape(cls, v: str | None) -> str | None:
        if v is not None and not looks_like_hash(v):
            raise ValueError("password_hash must be a crypt(3) hash such as $6$... or $y$...")
        return v

    @field_validator("ssh_keys")
    @classmethod
    def _keys(cls, v: list[str]) -> list[str]:
        for k in v:
            parts = k.split()
            if len(parts) < 2 or not (
                parts[0].startswith(("ssh-", "ecdsa-", "sk-")) or "@openssh.com" in parts[0]
            ):
                raise ValueError("an SSH key must look like 'ssh-ed25519 AAAA... comment'")
        return v

    @model_validator(mode="after")
    def _hash_plain(self) -> _Account:
        if self.password is not None:
            if self.password_hash is not None:
                raise ValueError("give password or password_hash, not both")
            plain = self.password.get_secret_value()
            object.__setattr__(self, "password", None)
            self.__dict__["password_hash"] = hash_password(plain)
            self._plain_warning = True
        return self


class User(_Account):
    name: str

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        r = validate.username(v)
        if not r.ok:
            raise ValueError(r.message)
        return v
    full_name: FullName = ""
    groups: list[GroupName] = Field(default_factory=list)
    admin: bool = Field(False, description="Member of wheel (sudo).")
    uid: int | None = Field(None, ge=1000, le=60000)
    shell: AbsPath = "/bin/bash"
    primary_group: str | None = Field(None, description="Default: a group named after the user.")
    home: HomeDir | None = Field(None, description="Home directory; default /home/NAME.")

    @field_validator("primary_group")
    @classmethod
    def _primary(cls, v: str | None) -> str | None:
        return None if v is None else _group_name(v)

    @field_validator("home")
    @classmethod
    def _home(cls, v: str | None) -> str | None:
        if v is not None and (not v.startswith("/") or any(c in v for c in ":\n\0") or "/../" in v + "/"):
            raise ValueError(f"home directory '{v}' must be an absolute path without ':' or '..'")
        return v


class Group(_Model):
    """An extra group, created before the users (so primary_group and groups may name it)."""

    name: str
    gid: int | None = Field(None, ge=1, le=60000)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return _group_name(v)


def _group_name(v: str) -> str:
    """groupadd's syntax (system group names such as wheel are allowed: they may already exist)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", v) or v.isdigit():
        raise ValueError(f"'{v}' is not a group name (lowercase letters, digits, '_' and '-', "
                         "starting with a letter or '_', at most 32 characters)")
    return v


class Root(_Account):
    lock: bool | None = Field(
        None, description="Lock root's password. Default: locked unless a password is given."
    )
    allow_ssh: bool = Field(False, description="Let root log in over SSH with a password.")

    @property
    def locked(self) -> bool:
        return self.lock if self.lock is not None else self.password_hash is None
