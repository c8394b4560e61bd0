"""`azl-installer schema`: the JSON Schema of the native answer file, generated from the model."""

from __future__ import annotations

import argparse
import json

from installer.backend.config import InstallConfig


def schema() -> dict[str, object]:
    s = InstallConfig.model_json_schema(mode="validation")
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "azl-installer answer file"
    s.setdefault("required", [])
    if "version" not in s["required"]:
        s["required"].append("version")
    return s


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("schema", help="print the answer file's JSON Schema")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(json.dumps(schema(), indent=2))
    return 0
