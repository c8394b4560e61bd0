"""Every answer-file format reads and parses through the bounded readers and parsers (issue 14):
a new importer that calls yaml.safe_load, json.loads, shlex.split or reads a file directly would
bypass the depth, alias, number, size and file-type limits. This test names the place to use."""

from __future__ import annotations

import re
from pathlib import Path

ANSWERS = Path(__file__).resolve().parents[2] / "installer" / "backend" / "answers"
# the bounded modules themselves
OWNERS = {"bounds.py", "reader.py", "yaml_bounded.py", "json_bounded.py", "kickstart_tokens.py", "confined.py"}
RULES = {
    r"\byaml\.(safe_load|load|compose|full_load|unsafe_load)\(": "answers/yaml_bounded.load/compose "
                                                                 "(or native.parse_document)",
    r"\bjson\.loads?\(": "answers/json_bounded.loads",
    r"\bshlex\.split\(": "answers/kickstart_tokens.split (linear), or grammar.kernel_args",
    r"(?<!reader)\.read_(text|bytes)\(|\bopen\(": "answers/reader.Reader (kickstart includes) or "
                                                "answers/confined.read_confined",
}
ALLOWED = {("azure_common.py", "shipped.read_bytes()")}  # the installer's own package lists


def test_answer_formats_use_the_bounded_parsers() -> None:
    found = []
    for path in sorted(ANSWERS.rglob("*.py")):
        if path.name in OWNERS and path.parent == ANSWERS:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, use in RULES.items():
                if re.search(pattern, code) and not any(path.name == f and s in code for f, s in ALLOWED):
                    found.append(f"{path.relative_to(ANSWERS)}:{n}: {line.strip()}  -> use {use}")
    assert not found, "\n".join(found)
