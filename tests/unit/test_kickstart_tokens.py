"""The linear kickstart splitter agrees with shlex.split (tokens and errors) and stays linear."""

from __future__ import annotations

import random
import shlex
import time

import pytest

from installer.backend.answers.kickstart_tokens import split

ALPHABET = [*list("ab \t\n'\"\\#=-"), "é", "\r"]


def _both(s: str, comments: bool) -> tuple[object, object]:
    def run(fn: object) -> tuple[str, object]:
        try:
            return ("ok", fn(s, comments=comments))  # type: ignore[operator]
        except ValueError as exc:
            return ("error", str(exc))
    return run(shlex.split), run(split)


@pytest.mark.parametrize("seed", range(4))
def test_agrees_with_shlex_on_generated_lines(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(2500):
        s = "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 16)))
        for comments in (False, True):
            expected, got = _both(s, comments)
            assert got == expected, (s, comments)


@pytest.mark.parametrize("line", [
    'part / --size=1 --fstype="ext4"  # a comment', "a'b'c \"d\\\"e\" f\\ g", "''", '""', "#x\ny",
    'x "a\\$b"', "x 'unterminated", 'x "unterminated', "x \\", 'x "\\', "a#b c",
])
def test_agrees_on_edge_cases(line: str) -> None:
    for comments in (False, True):
        expected, got = _both(line, comments)
        assert got == expected


def test_600_kb_line_is_linear() -> None:
    line = 'bootloader --append="' + "a " * 300_000 + '"\n'
    t = time.process_time()
    toks = split(line, comments=True)
    assert len(toks) == 2 and len(toks[1]) == len("--append=") + 600_000
    assert time.process_time() - t < 0.5  # shlex.split: 10-22 s; this: a few ms (CPU time)
