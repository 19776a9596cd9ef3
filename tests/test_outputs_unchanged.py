"""Every shipped example builds into the same bytes as before: its Markdown, the
Markdown of a numbered copy, its Word document and each part of it.

Work on speed (a faster YAML reader, a plain Jinja environment for the built-in
templates, another way from Markdown to Word XML) must leave these unchanged.
When a change to the output is intended, regenerate the digests with
`.venv/bin/python scripts/output_digests.py` and commit tests/output_digests.json
with the change, saying which outputs changed and why.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REGENERATE = (
    "if the change is intended, run `.venv/bin/python scripts/output_digests.py` and commit the fixture"
)


def _script():
    spec = importlib.util.spec_from_file_location("output_digests", REPO / "scripts" / "output_digests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_builds_the_same_bytes_as_recorded():
    script = _script()
    recorded = json.loads(script.FIXTURE.read_text(encoding="utf-8"))
    now = script.digests()
    assert sorted(now) == sorted(recorded), f"the examples changed; {REGENERATE}"
    differences = []
    for circular_id, was in recorded.items():
        is_now = now[circular_id]
        for output in ("markdown", "copy_markdown"):
            if is_now[output] != was[output]:
                differences.append(f"{circular_id}: its {output.replace('_', ' ')} changed")
        for part in sorted(set(was["parts"]) | set(is_now["parts"])):
            if is_now["parts"].get(part) != was["parts"].get(part):
                differences.append(f"{circular_id}.docx: part {part} changed")
        if is_now["docx"] != was["docx"] and not any(
            d.startswith(f"{circular_id}.docx") for d in differences
        ):
            differences.append(f"{circular_id}.docx: the package changed (order or compression of its parts)")
    assert not differences, "\n".join([*differences, REGENERATE])
