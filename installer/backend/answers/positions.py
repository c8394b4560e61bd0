"""Map field paths in a YAML/JSON document to their line and column, for FILE:LINE:COL errors."""

from __future__ import annotations

from typing import Any

import yaml

from installer.backend.answers import yaml_bounded

Pos = tuple[int, int]


def node_positions(text: str) -> dict[tuple[Any, ...], Pos]:
    """{path: (line, col)} for every mapping key and sequence item (1-based positions).
    For a mapping key the position is the key's; the value's is stored under path + ('=',)."""
    try:
        root = yaml_bounded.compose(text)  # depth and alias expansion bounded (the walk expands aliases)
    except yaml.YAMLError:
        return {}
    out: dict[tuple[Any, ...], Pos] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if not isinstance(k, yaml.ScalarNode):
                    continue  # a complex key (? [a, b]) has no field path
                key = k.value
                p = (*path, key)
                out[p] = (k.start_mark.line + 1, k.start_mark.column + 1)
                out[(*p, "=")] = (v.start_mark.line + 1, v.start_mark.column + 1)
                walk(v, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                p = (*path, i)
                out[p] = (v.start_mark.line + 1, v.start_mark.column + 1)
                walk(v, p)

    if root is not None:
        out[()] = (root.start_mark.line + 1, root.start_mark.column + 1)
        walk(root, ())
    return out


def locate(positions: dict[tuple[Any, ...], Pos], loc: tuple[Any, ...], value: bool = True) -> Pos | None:
    """Best position for a pydantic error location: the value if known, else the key, else the
    nearest ancestor."""
    loc = tuple(loc)
    while True:
        if value and (*loc, "=") in positions:
            return positions[(*loc, "=")]
        if loc in positions:
            return positions[loc]
        if not loc:
            return None
        loc = loc[:-1]
