"""Input-bounds benchmark (issue 14): what the bounded readers and parsers cost on ordinary answer
files, side by side with the unbounded library calls they replace, and the worst cases an answer
file can force within the limits (CPU seconds, best of --repeat runs).

    .venv/bin/python bench/input_bench.py [--repeat 3]

Baselines: yaml.safe_load and json.loads on the same text; shlex.split for the tokeniser. The
hostile inputs the limits refuse (alias bomb, /dev/zero, a 600 KB kickstart line) are timed only
with the bounded code: their unbounded baselines are the 13-41 s and unbounded memory of issue 14.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installer.backend.answers import json_bounded, yaml_bounded  # noqa: E402
from installer.backend.answers.bounds import MAX_FILE_BYTES, MAX_LINE_CHARS  # noqa: E402
from installer.backend.answers.kickstart_tokens import split  # noqa: E402
from installer.backend.answers.load import load_text  # noqa: E402
from installer.backend.errors import InvalidInput  # noqa: E402


def cpu(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        with contextlib.suppress(InvalidInput, yaml.YAMLError, ValueError):
            fn()
        best = min(best, time.process_time() - t)
    return best


def row(name: str, ours: float, base: float | None) -> None:
    ratio = f"{ours / base:6.2f}x" if base else "     -"
    b = f"{base * 1000:9.1f}" if base is not None else "        -"
    print(f"{name:58s} {ours * 1000:9.1f} {b} {ratio}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    r = ap.parse_args().repeat
    print(f"{'case':58s} {'bounded ms':>9s} {'baseline':>9s} {'ratio':>7s}   (CPU, best of {r})")
    ordinary = [(p, p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    for p, text in ordinary:
        row(f"YAML {p.name}", cpu(lambda t=text: yaml_bounded.load(t), r), cpu(lambda t=text: yaml.safe_load(t), r))
    for p in sorted((ROOT / "tests" / "fixtures" / "azure" / "imageconfigs").glob("*.json")):
        text = p.read_text()
        row(f"JSON {p.name}", cpu(lambda t=text: json_bounded.loads(t), r), cpu(lambda t=text: json.loads(t), r))
    big_list = "x: [" + ", ".join(["pkg"] * 40_000) + "]\n"
    row("YAML 40,000-item list (under the node cap)", cpu(lambda: yaml_bounded.load(big_list), r),
        cpu(lambda: yaml.safe_load(big_list), r))
    big_json = json.dumps({"x": ["pkg"] * 40_000})
    row("JSON 40,000-item list", cpu(lambda: json_bounded.loads(big_json), r), cpu(lambda: json.loads(big_json), r))
    for n in (4_096, 16_384, MAX_LINE_CHARS - 64):
        line = 'bootloader --append="' + "a " * (n // 2) + '"'
        row(f"split a {n}-character kickstart line", cpu(lambda s=line: split(s, comments=True), r),
            cpu(lambda s=line: shlex.split(s, comments=True), r))
    print("worst cases an answer file can force (refused or at the limits):")
    bomb = ('version: 1\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
            + "".join(f"{chr(c)}: &{chr(c)} [" + ",".join([f"*{chr(c - 1)}"] * 9) + "]\n"
                      for c in range(ord("b"), ord("j"))))
    cases = {
        "alias bomb (353 bytes)": bomb,
        "1000-deep nesting": "version: 1\nx: " + "[" * 1000 + "]" * 1000 + "\n",
        "1 MiB native YAML of comments": "version: 1\n" + "# padding\n" * (MAX_FILE_BYTES // 10 - 2),
        "1 MiB native YAML, 50,000+ values": "version: 1\nx:\n" + "  - a\n" * (MAX_FILE_BYTES // 6 - 4),
        "1 MiB kickstart of %packages lines": "clearpart --all\nautopart\nrootpw --lock\n%packages\n"
                                              + "package-name-x\n" * (MAX_FILE_BYTES // 15 - 10) + "%end\n",
        "600 KB kickstart line": 'clearpart --all\nbootloader --append="' + "a " * 300_000 + '"\n',
        "kickstart line at the cap": 'clearpart --all\nautopart\nrootpw --lock\nbootloader --append="a='
                                     + "x" * (MAX_LINE_CHARS - 64) + '"\n',
        "%include /dev/zero": "clearpart --all\n%include /dev/zero\n",
    }
    for name, text in cases.items():
        row(name, cpu(lambda t=text: load_text(t, "bench"), r), None)


if __name__ == "__main__":
    main()
