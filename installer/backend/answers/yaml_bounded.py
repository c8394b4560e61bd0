"""YAML (and JSON read as YAML) with bounds: nesting depth, node count with aliases expanded, no
recursive aliases, whole numbers of bounded length, and every odd tag or value a clean YAMLError.

PyYAML's safe loader has no such limits: a 327-byte document of nested aliases expands to
billions of nodes (the "billion laughs"), 1000 nested brackets overflow Python's stack, and
``!!int e`` or a 5000-digit number raise plain ValueError. The composer here counts each node
once and each alias as the size of what it refers to, so a bomb is refused after reading it,
before anything is expanded.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from installer.backend.answers.bounds import MAX_DEPTH, MAX_INT_DIGITS, MAX_NODES


class BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._sizes: dict[int, int] = {}  # id(anchored node) -> its size, aliases expanded
        self._open: set[str] = set()  # anchors whose node is still being composed

    def _count(self, n: int, mark: Any) -> None:
        self._nodes += n
        if self._nodes > MAX_NODES:
            raise ComposerError(None, None, f"the document has more than {MAX_NODES} values (aliases "
                                            "expanded): refused", mark)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise ComposerError(None, None, f"the alias *{event.anchor} refers to a value that "
                                                "contains it", mark)
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"values are nested more than {MAX_DEPTH} levels deep", mark)
        before = self._nodes
        self._count(1, mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open.discard(anchor)
            self._sizes[id(node)] = self._nodes - before
        self._depth -= 1
        return node

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except Exception:  # !!int e, !!bool x, !!timestamp 2001-02-30, !!float e, ...
            tag = str(node.tag).rsplit(":", 1)[-1]
            raise ConstructorError(None, None, f"this value cannot be read as {tag}", node.start_mark) from None

    def construct_yaml_int(self, node: Any) -> Any:
        value = str(self.construct_scalar(node))
        if sum(c.isalnum() for c in value) > MAX_INT_DIGITS:
            raise ConstructorError(None, None, f"a number with more than {MAX_INT_DIGITS} digits is "
                                               "refused", node.start_mark)
        return super().construct_yaml_int(node)


BoundedLoader.add_constructor("tag:yaml.org,2002:int", BoundedLoader.construct_yaml_int)


def load(text: str) -> Any:
    """Like ``yaml.safe_load``, bounded. Raises yaml.YAMLError (with a mark where known)."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def compose(text: str) -> Any:
    """Like ``yaml.compose``, bounded. Raises yaml.YAMLError."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()
