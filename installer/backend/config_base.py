"""Shared base and field checks of the InstallConfig models (config_*.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr

from installer.backend import secrets
from installer.backend.sizes import SizeError, SizeSpec, parse_size


def _check_size(v: Any) -> str:
    try:
        parse_size(v, "MiB")
    except SizeError as exc:
        raise ValueError(str(exc)) from exc
    return str(v)


def _check_size_spec(v: Any) -> str:
    try:
        SizeSpec.parse(v)
    except SizeError as exc:
        raise ValueError(str(exc)) from exc
    return str(v)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _register_secret(v: SecretStr | None) -> SecretStr | None:
    if v is not None:
        secrets.register(v.get_secret_value())
    return v
