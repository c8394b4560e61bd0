"""Shell lines that write files and folders into the target: how importers carry files an answer
file copies in (the Image Customizer's additionalFiles/additionalDirs, module settings) as one
post script that runs inside the installed system, so the converted native answer file holds the
content and depends on nothing next to it. Text files go as a quoted here-document, anything
else base64-encoded; every destination is quoted and checked to be a plain absolute path."""

from __future__ import annotations

import base64
import posixpath
import shlex

EOF_MARK = "AZL_FILE_EOF"


def bad_destination(dest: str) -> str | None:
    """Why ``dest`` cannot be a destination in the target, or None."""
    if not dest.startswith("/"):
        return f"'{dest}' must be an absolute path in the installed system"
    if any(c in dest for c in "\0\n\r") or posixpath.normpath(dest) != dest.rstrip("/") or "/../" in dest + "/":
        return f"'{dest}' must be a plain absolute path (no '..', no control characters)"
    if dest.rstrip("/") == "":
        return "'/' is not a file"
    return None


def file_lines(dest: str, data: bytes, mode: int | None) -> list[str]:
    q = shlex.quote(dest)
    out = [f"mkdir -p {shlex.quote(posixpath.dirname(dest) or '/')}"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.endswith("\n") and "\r" not in text and f"\n{EOF_MARK}\n" not in "\n" + text:
        out += [f"cat > {q} <<'{EOF_MARK}'", text[:-1], EOF_MARK]
    else:
        out += [f"base64 -d > {q} <<'{EOF_MARK}'", base64.b64encode(data).decode(), EOF_MARK]
    if mode is not None:
        out.append(f"chmod {mode:04o} {q}")
    return out


def dir_lines(dest: str, new_mode: int, merged_mode: int | None) -> list[str]:
    """A folder: made with ``new_mode`` when it is new, set to ``merged_mode`` (if given) when it
    existed already."""
    q = shlex.quote(dest)
    keep = f"chmod {merged_mode:04o} {q}" if merged_mode is not None else "true"
    return [f"if [ -d {q} ]; then {keep}; else mkdir -p {q} && chmod {new_mode:04o} {q}; fi"]
