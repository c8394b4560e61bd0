"""`azl-installer convert FILE [--to yaml|json|imagecustomizer]`: print the native answer file (or
an Image Customizer config) for a kickstart, Azure Linux image config, Image Customizer config or
native file. Secrets are never printed (plain passwords come out hashed; a LUKS passphrase must
be given again)."""

from __future__ import annotations

import argparse
from pathlib import Path

from installer.backend.answers.load import Loaded, detect_format, load_file
from installer.backend.answers.native import dump_json, dump_yaml
from installer.backend.errors import InvalidInput, Issue
from installer.cli.common import EXIT_INVALID, EXIT_OK, err, print_issues


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser("convert", help="print the native answer file (or an Image Customizer config) for any "
                                       "answer file")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", choices=("yaml", "json", "imagecustomizer"), default="yaml",
                   help="output: the native file as yaml (default) or json, or an Image Customizer config")
    p.add_argument("--ignore-unsupported", action="store_true",
                   help="kickstart: unsupported commands are warnings, not errors")
    p.add_argument("--system-config", metavar="NAME",
                   help="Azure Linux config: the SystemConfig to convert (default: IsDefault, else the first)")
    p.set_defaults(func=run)


def _load(args: argparse.Namespace) -> Loaded:
    if args.system_config is None:
        return load_file(args.file, ignore_unsupported=args.ignore_unsupported)
    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInput([Issue("", f"cannot read answer file: {msg}", source=str(path))]) from None
    if detect_format(text) != "azure":
        raise InvalidInput([Issue("", "--system-config applies to Azure Linux image configs only",
                                  source=str(path))])
    from installer.backend.answers.azure import load_azure

    return load_azure(text, str(path), base_dir=path.parent, system_config=args.system_config)


def run(args: argparse.Namespace) -> int:
    try:
        loaded = _load(args)
    except InvalidInput as exc:
        print_issues(exc)
        return EXIT_INVALID
    for w in loaded.warnings:
        err(f"{args.file}: warning: {w}")
    for k, v in sorted(loaded.hints.items()):
        if "\n" not in v:
            err(f"{args.file}: note: {k} = {v}")
    if args.to == "imagecustomizer":
        from installer.backend.answers.imagecustomizer.writer import to_imagecustomizer

        print(to_imagecustomizer(loaded.config), end="")
    else:
        print(dump_json(loaded.config) if args.to == "json" else dump_yaml(loaded.config), end="")
    return EXIT_OK
