"""Property-based: thousands of generated and mutated answer files through validate and plan.
Only InvalidInput / RefusedForSafety may come out: zero uncaught exceptions."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from installer.backend.answers.load import load_text
from installer.backend.errors import InvalidInput, RefusedForSafety
from installer.backend.machine import load_machine
from installer.backend.plan import make_plan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
MACHINES = [load_machine(p) for p in sorted((ROOT / "tests/fixtures/machines").glob("*.json"))]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True),
    st.text(max_size=30), st.sampled_from(["rest", "50%", "0", "-1GiB", "8G", "/dev/vda", "luks1", "xfs",
                                           "ssh-ed25519 AAAA x", "$6$abc", "", "é", "../..", "/"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                      max_leaves=12)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return value if op == "replace" else doc
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    if op == "delete":
        del parent[last]
    elif op == "replace":
        parent[last] = value
    elif op == "add" and isinstance(parent[last], dict):
        parent[last]["x_" + str(value)[:8]] = value
    elif op == "add" and isinstance(parent[last], list):
        parent[last].append(value)
    return doc


def _check(text: str, machine_index: int) -> None:
    try:
        cfg = load_text(text, "fuzz.yaml").config
        make_plan(cfg, MACHINES[machine_index % len(MACHINES)])
    except (InvalidInput, RefusedForSafety) as exc:
        assert str(exc)  # a message for the user, always


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ex=st.integers(0, len(EXAMPLES) - 1),
    pick=st.integers(0, 10_000),
    op=st.sampled_from(["delete", "replace", "add"]),
    value=values,
    machine=st.integers(0, 10),
)
def test_mutated_examples_never_crash(ex: int, pick: int, op: str, value: Any, machine: int) -> None:
    doc = EXAMPLES[ex]
    paths = _paths(doc)
    mutated = _mutate(doc, paths[pick % len(paths)], op, value)
    try:
        text = yaml.safe_dump(mutated, allow_unicode=True)
    except yaml.YAMLError:
        return
    _check(text, machine)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=200), machine=st.integers(0, 10))
def test_random_text_never_crashes(text: str, machine: int) -> None:
    _check(text, machine)
