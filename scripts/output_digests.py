"""SHA-256 digests of everything the shipped examples build into: the guard that
speed work changes no output byte (tests/test_outputs_unchanged.py).

    .venv/bin/python scripts/output_digests.py          # rewrite tests/output_digests.json
    .venv/bin/python scripts/output_digests.py --check  # compare, exit 1 on a difference

For each example circular: its rendered Markdown, the Markdown of a numbered,
addressed copy, its Word document and each part inside that document. Run it
to rewrite the fixture only when a change to the output is intended (a template,
a style, the writer), and say in the commit which outputs changed and why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.docx.build import build_documents  # noqa: E402
from generator.docx.package import read_parts  # noqa: E402
from generator.render.renderer import CopyMarks, Renderer  # noqa: E402
from generator.source.loading import load_project  # noqa: E402

FIXTURE = REPO / "tests" / "output_digests.json"
COPY = CopyMarks("000042", "Example Recipient 示例单位")


def sha256(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def digests(root: Path = REPO, jobs: int = 1) -> dict[str, dict]:
    """{circular id: {markdown, copy_markdown, docx, parts: {name: digest}}} as built now."""
    project = load_project(root)
    if project.diagnostics.has_errors():
        raise SystemExit("\n".join(d.format(root) for d in project.diagnostics.errors))
    circulars = sorted(project.circulars, key=lambda c: c.id)
    renderer = Renderer(project.root, project.registry)
    with tempfile.TemporaryDirectory(prefix="circulars-digests-") as scratch:
        result = build_documents(project, circulars, Path(scratch), jobs)
        if result.errors:
            raise SystemExit("\n".join(result.errors))
        out = {}
        for built in sorted(result.documents, key=lambda d: d.circular_id):
            circular = project.source(built.circular_id).circular
            out[built.circular_id] = {
                "markdown": sha256(built.markdown),
                "copy_markdown": sha256(renderer.render(circular, COPY).markdown),
                "docx": built.sha256,
                "parts": {name: sha256(data) for name, data in read_parts(built.path).items()},
            }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the fixture instead of writing it")
    args = parser.parse_args()
    now = digests()
    if args.check:
        return 0 if json.loads(FIXTURE.read_text(encoding="utf-8")) == now else 1
    FIXTURE.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE.relative_to(REPO)}: {len(now)} circulars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
