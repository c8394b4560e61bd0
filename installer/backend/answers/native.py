"""The native answer file: YAML (or JSON) mapping 1:1 onto InstallConfig, with a required
``version`` key. Errors come out as FILE:LINE:COL: field.path: message."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from installer.backend import secrets
from installer.backend.answers import yaml_bounded
from installer.backend.answers.positions import locate, node_positions
from installer.backend.config import CONFIG_VERSION, InstallConfig
from installer.backend.errors import InvalidInput, Issue
from installer.backend.secrets import redact

# Migrations from older format versions: {old_version: function(data) -> data of old+1}.
MIGRATIONS: dict[int, Any] = {}


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``loc`` (for 'did you mean')."""
    cur: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return []
        f = cur.model_fields.get(part)
        if f is None:
            return []
        cur = _inner_model(f.annotation)
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return list(cur.model_fields)
    return []


def _inner_model(ann: Any) -> Any:
    import typing

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in typing.get_args(ann):
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def _message(err: Any) -> str:
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if err["type"] == "extra_forbidden":
        loc = tuple(err["loc"])
        allowed = _fields_at(InstallConfig, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = f"unknown key '{loc[-1]}'"
        if guess:
            msg += f"; did you mean '{guess[0]}'?"
        elif allowed:
            msg += f" (allowed: {', '.join(allowed)})"
    elif err["type"] == "missing":
        msg = "this field is required"
    elif err["type"] == "literal_error":
        msg = f"{msg} (got {err.get('input')!r})" if not _secretish(err["loc"]) else msg
    return redact(msg)


def _secretish(loc: Any) -> bool:
    return any(str(p) in ("password", "passphrase") for p in loc)


def issues_from_validation(
    exc: ValidationError, positions: dict[tuple[Any, ...], tuple[int, int]], source: str
) -> list[Issue]:
    issues = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        pos = locate(positions, loc, value=err["type"] != "extra_forbidden")
        issues.append(Issue(
            path=redact(".".join(str(p) for p in loc)),
            message=_message(err),
            line=pos[0] if pos else None,
            column=pos[1] if pos else None,
            source=source,
        ))
    return issues


_SECRET_FIELDS = ("password", "passphrase", "passwd", "secret")
# a secret key with its value run in: "passphrase \"x\"" (a flow mapping missing its colon), "password=x"
_RUN_IN = re.compile(r"\s*(?:pass(?:word|phrase|wd)?|pwd|secret)[^A-Za-z0-9_\"']+(.+)", re.IGNORECASE | re.DOTALL)


def register_misplaced_secrets(data: Any, depth: int = 0) -> None:
    """Register (secrets.register) values that look like secrets wherever they are, so that no
    error about them can echo them: the value of any key named like a password or passphrase
    (misspelt too), and the value part of a key that ran into its value (``{passphrase "x"}``)."""
    if depth > 64:
        return
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        if isinstance(k, str):
            m = _RUN_IN.fullmatch(k)
            if m:
                secrets.register(m.group(1).strip())
                secrets.register(m.group(1).strip().strip("'\"").strip())
            if isinstance(v, str | int | float) and not isinstance(v, bool) and (
                    difflib.get_close_matches(k.lower(), _SECRET_FIELDS, n=1, cutoff=0.8)):
                secrets.register(str(v))
        register_misplaced_secrets(v, depth + 1)


def parse_document(text: str, source: str) -> Any:
    try:
        data = yaml_bounded.load(text)
        register_misplaced_secrets(data)
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InvalidInput([Issue(
            "", f"not valid YAML/JSON: {exc.problem}",
            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None,
            source=source)]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Issue("", f"not valid YAML/JSON: {exc}", source=source)]) from None


def config_from_data(data: Any, text: str, source: str) -> InstallConfig:
    if not isinstance(data, dict):
        raise InvalidInput([Issue("", "an answer file must be a mapping of keys to values "
                                      "(start with 'version: 1')", line=1, column=1, source=source)])
    if "version" not in data:
        raise InvalidInput([Issue("version", f"missing 'version' key: add 'version: {CONFIG_VERSION}' "
                                             "at the top", line=1, column=1, source=source)])
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        pos = node_positions(text).get(("version", "="))
        raise InvalidInput([Issue("version", f"version must be a whole number such as {CONFIG_VERSION}",
                                  line=pos[0] if pos else None, column=pos[1] if pos else None,
                                  source=source)])
    if version > CONFIG_VERSION:
        pos = node_positions(text).get(("version", "="))
        raise InvalidInput([Issue("version", f"format version {version} is newer than this installer "
                                             f"understands (at most {CONFIG_VERSION})",
                                  line=pos[0] if pos else None, column=pos[1] if pos else None,
                                  source=source)])
    while version < CONFIG_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    try:
        return InstallConfig.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(issues_from_validation(exc, node_positions(text), source)) from None


def load_native(text: str, source: str = "<answers>") -> InstallConfig:
    return config_from_data(parse_document(text, source), text, source)


def to_data(config: InstallConfig) -> dict[str, Any]:
    """The config as answer-file data: defaults left out, secrets never included (plain
    passwords were hashed on load; the LUKS passphrase is omitted and must be given again)."""
    data = config.model_dump(mode="json", exclude_defaults=True, exclude={"version"},
                             exclude_none=True)
    enc = data.get("storage", {}).get("encryption", {})
    enc.pop("passphrase", None)
    for acct in [*data.get("users", []), data.get("root", {})]:
        acct.pop("password", None)
    # hostname is random by default: always write it so the file reproduces this install
    data.setdefault("system", {})["hostname"] = config.system.hostname
    return {"version": CONFIG_VERSION, **data}


def dump_yaml(config: InstallConfig) -> str:
    head = "# azl-installer answer file (native format). Secrets are not stored here:\n"
    if config.storage.encryption.enabled:
        head += "# give storage.encryption.passphrase again to reuse it.\n"
    return head + yaml.safe_dump(to_data(config), sort_keys=False, default_flow_style=False)


def dump_json(config: InstallConfig) -> str:
    return json.dumps(to_data(config), indent=2) + "\n"
