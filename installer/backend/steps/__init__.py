"""One file per step. Each exposes ``plan(info) -> Planned | None`` registered in registry.py."""
