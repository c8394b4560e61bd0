"""Image Customizer ``scripts``: postCustomization then finalizeCustomization, each a post script
run inside the installed system (as the Image Customizer runs them in the image's chroot) that
stops the install when it fails. path (next to the config) or content, interpreter (default
/bin/sh), arguments, environmentVariables, name."""

from __future__ import annotations

import re
import shlex
from typing import Any

from installer.backend.answers.imagecustomizer.common import Ic, Path_

SCRIPT_KEYS = {"path", "content", "interpreter", "arguments", "environmentVariables", "name"}
SHELLS = {"/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/bash", "sh", "bash"}
_ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_INTERP = re.compile(r"^[A-Za-z0-9_./+-]+$")


def _script(ic: Ic, s: dict[str, Any], sp: Path_) -> dict[str, Any] | None:
    path, content = s.get("path"), s.get("content")
    if (path in (None, "")) == (content in (None, "")):
        ic.err(sp, "give either path or content")
        return None
    if content not in (None, ""):
        if not isinstance(content, str):
            ic.err((*sp, "content"), "must be a string")
            return None
        body = content
    else:
        if not isinstance(path, str):
            ic.err((*sp, "path"), "must be a file path")
            return None
        raw = ic.read(path, (*sp, "path"), "script")
        if raw is None:
            return None
        body = raw.decode("utf-8", "replace")
    interp = s.get("interpreter") or "/bin/sh"
    if not isinstance(interp, str) or not _INTERP.match(interp):
        ic.err((*sp, "interpreter"), f"'{interp}' is not a program name or path")
        return None
    if not interp.startswith("/"):
        interp = f"/usr/bin/{interp}"
    args = ic.strings(s, "arguments", sp)
    env = s.get("environmentVariables") or {}
    if not isinstance(env, dict):
        ic.err((*sp, "environmentVariables"), "must be a mapping of NAME: value")
        env = {}
    exports = []
    for k, v in env.items():
        if not isinstance(k, str) or not _ENV.match(k):
            ic.err((*sp, "environmentVariables", k), f"'{k}' is not an environment variable name")
            continue
        exports.append(f"export {k}={shlex.quote(str(v))}")
    if "/_imageconfigs" in body:
        ic.warn(sp, "the script uses /_imageconfigs, the Image Customizer's mount of the config's folder: "
                    "azl-installer has no such mount")
    if args or exports:
        if interp not in SHELLS and interp.rsplit("/", 1)[-1] not in SHELLS:
            # any interpreter: a shell wrapper sets the environment and runs it with the arguments
            wrapper = ["set -e", *exports, "f=$(mktemp)", "cat > \"$f\" <<'AZL_SCRIPT_EOF'", body.rstrip("\n"),
                       "AZL_SCRIPT_EOF", f"{shlex.quote(interp)} \"$f\" {shlex.join(args)}".rstrip(),
                       "rc=$?", "rm -f \"$f\"", "exit $rc"]
            if "\nAZL_SCRIPT_EOF\n" in f"\n{body}\n":
                ic.err(sp, "the script holds the line AZL_SCRIPT_EOF, which the wrapper needs")
                return None
            body, interp = "\n".join(wrapper) + "\n", "/bin/sh"
        else:
            lines = body.splitlines(True)
            head = lines[0] if lines and lines[0].startswith("#!") else ""
            pre = "".join(x + "\n" for x in exports) + (f"set -- {shlex.join(args)}\n" if args else "")
            body = head + pre + "".join(lines[1:] if head else lines)
    name = s.get("name")
    if name is not None and not isinstance(name, str):
        ic.err((*sp, "name"), "must be a string")
    return {"body": body, "interpreter": interp, "chroot": True, "error_on_fail": True}


def map_scripts(ic: Ic, data: dict[str, Any], first: int) -> list[dict[str, Any]]:
    """The post scripts, in the Image Customizer's order; ``first``: the index the first one gets
    in scripts.post."""
    sp: Path_ = ("scripts",)
    sc = ic.obj(data.get("scripts"), {"postCustomization", "finalizeCustomization"}, sp) or {}
    out: list[tuple[Path_, dict[str, Any]]] = []
    for key in ("postCustomization", "finalizeCustomization"):
        for i, s_raw in enumerate(ic.get(sc, key, list, sp, []) or []):
            p: Path_ = (*sp, key, i)
            s = ic.obj(s_raw, SCRIPT_KEYS, p)
            if s is None:
                continue
            got = _script(ic, s, p)
            if got is not None:
                ic.mark(("scripts", "post", first + len(out)), p)
                out.append((p, got))
    return [d for _, d in out]
