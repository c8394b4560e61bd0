"""Issue 14, item 4: a seeded mutation fuzz over all answer-file formats (native YAML, native JSON,
kickstart, Azure Linux image config, Image Customizer YAML): 10,400 cases, each loaded and, when
it loads, planned against a recorded machine. Only InvalidInput/RefusedForSafety may come out
(zero uncaught exceptions), and no case may take 2 s of CPU time (measured per case with
time.process_time, so machine load does not make it flaky). The figures are printed."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
import yaml

from installer.backend.answers.load import load_text
from installer.backend.errors import InvalidInput, RefusedForSafety
from installer.backend.machine import load_machine
from installer.backend.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
MACHINE = load_machine(ROOT / "tests" / "fixtures" / "machines" / "two-disks.json")
AZURE = ROOT / "tests" / "fixtures" / "azure" / "imageconfigs"
IC = ROOT / "tests" / "fixtures" / "imagecustomizer"
CASE_CPU_LIMIT = 2.0

# Tokens that have broken parsers or leaked into files before, inserted at random places.
NASTY = [
    "--nogpgcheck", "--installroot=/", "$(id)", "`id`", '"', "'", "\\", "\n", "\r\n", "\t", "\x00", "\x1b", "\u2028",
    "&a ", "*a", "<<: *a", "!!int e", "!!bool x", "!!timestamp 2001-02-30", "!!python/object:os.system x",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "{{{{{{{{", "9" * 60, "-" * 3, "1e999", "NaN", ": ", "? ", "- ", "#",
    "%include /dev/zero\n", "%include /etc/shadow\n", "%include nope.ks\n", "%packages\n", "%end\n", "%post\n",
    "--passphrase=", "--plaintext", "rootpw ", "part / --size=", "é", "..", "/../", "\ufeff", "0x" + "f" * 40,
]


def _corpus(fmt: str) -> list[tuple[str, Path]]:
    if fmt == "native-yaml":
        return [(p.read_text(), p.parent) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    if fmt == "native-json":
        return [(json.dumps(yaml.safe_load(p.read_text()), indent=2), p.parent)
                for p in sorted((ROOT / "examples").glob("*.yaml"))]
    if fmt == "kickstart":
        return [(p.read_text(), p.parent) for p in sorted((ROOT / "examples").glob("*.ks"))]
    if fmt == "azure":
        return [(p.read_text(), AZURE) for p in sorted(AZURE.glob("*.json"))]
    return [(p.read_text(), IC) for p in sorted(IC.glob("*.yaml"))]


def _mutate(rnd: random.Random, text: str) -> str:
    for _ in range(rnd.choice((1, 1, 2, 3))):
        n = len(text)
        i = rnd.randrange(n + 1)
        j = min(n, i + rnd.randint(0, 40))
        op = rnd.randrange(7)
        if op == 0:
            text = text[:i] + text[j:]  # delete a span
        elif op == 1:
            text = text[:i] + rnd.choice(NASTY) + text[i:]  # insert a nasty token
        elif op == 2:
            text = text[:j] + text[i:j] * rnd.randint(2, 30) + text[j:]  # repeat a span
        elif op == 3:
            text = text[:i] + chr(rnd.randrange(0, 0x3000)) + text[i + 1:]  # replace a character
        elif op == 4:
            lines = text.splitlines(True)
            if len(lines) > 1:
                a, b = rnd.randrange(len(lines)), rnd.randrange(len(lines))
                lines[a], lines[b] = lines[b], lines[a]  # swap two lines
            text = "".join(lines)
        elif op == 5:
            text = text[:i]  # truncate
        else:
            lines = text.splitlines(True)
            if lines:
                k = rnd.randrange(len(lines))
                lines.insert(k, lines[k] * rnd.randint(1, 5))  # duplicate a line (keys, commands)
            text = "".join(lines)
    return text


CASES = {"native-yaml": 2600, "native-json": 1800, "kickstart": 1800, "azure": 2600, "imagecustomizer": 1600}


@pytest.mark.parametrize("fmt", list(CASES))
def test_fuzz_format(fmt: str) -> None:
    rnd = random.Random(f"azl-fuzz-{fmt}")
    corpus = _corpus(fmt)
    assert corpus, fmt
    crashes: list[tuple[str, str]] = []
    slowest, total, loaded, planned = 0.0, 0.0, 0, 0
    for _ in range(CASES[fmt]):
        base, where = rnd.choice(corpus)
        text = _mutate(rnd, base)
        t = time.process_time()
        try:
            result = load_text(text, f"fuzz.{fmt}", base_dir=where)
            loaded += 1
            make_plan(result.config, MACHINE)
            planned += 1
        except (InvalidInput, RefusedForSafety) as exc:
            assert str(exc), "an error with no message"
            assert "Traceback" not in str(exc)
        except Exception as exc:
            crashes.append((f"{type(exc).__name__}: {exc}"[:200], text[:300]))
        cpu = time.process_time() - t
        slowest = max(slowest, cpu)
        total += cpu
        assert cpu < CASE_CPU_LIMIT, f"a case took {cpu:.2f} s of CPU: {text[:300]!r}"
    print(f"fuzz {fmt}: {CASES[fmt]} cases, {loaded} loaded, {planned} planned, CPU {total:.1f} s, "
          f"slowest case {slowest * 1000:.0f} ms")
    assert not crashes, crashes[:5]


def test_fuzz_covers_ten_thousand_cases() -> None:
    assert sum(CASES.values()) >= 10_000
