"""The build record at its edges, each written for a planted bug that survived the suite
(issue 25): a document altered without changing its size, and a kind's group label
(declared under `kinds:`) that a document prints."""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import ORGANIZATIONS, circular_yaml, run, write
from docx_reading import blocks

CIRCULAR = "panzhihua-2024-07"
KINDS = """\
kinds:
  - id: branch-union
    name: {en: branch union, zh: 分工会}
    group: {en: branch unions, zh: 分工会}
"""


def build(project: Path) -> str:
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    return result.output


def text_of(project: Path) -> str:
    return "\n".join(text for _style, text in blocks(project / "build/docx" / f"{CIRCULAR}.docx"))


# Catches the record trusting a document's size: one byte flipped, same size, is a
# document to write again.
def test_a_document_altered_in_place_is_written_again(project):
    build(project)
    path = project / "build/docx" / f"{CIRCULAR}.docx"
    original = path.read_bytes()
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0xFF
    path.write_bytes(bytes(flipped))
    assert path.stat().st_size == len(original)
    output = build(project)
    assert "Wrote 1 Word document to build/docx/ (0 up to date)" in output
    assert path.read_bytes() == original


# Catches the registry digest leaving out `kinds:`: a kind's group label that a document
# prints changes, and the document is built again.
def test_a_changed_kind_label_rebuilds_the_document_that_prints_it(project):
    orgs = KINDS + ORGANIZATIONS.replace(
        "  - id: coking-union\n    name: {en: Geliping Coking Co. Trade Union, zh: 格里坪焦化有限公司工会}\n"
        "    kind: grassroots-union\n",
        "  - id: coking-union\n    name: {en: Geliping Coking Co. Trade Union, zh: 格里坪焦化有限公司工会}\n"
        "    kind: branch-union\n",
    )
    assert "kind: branch-union" in orgs
    write(project, "circulars/organizations.yaml", orgs)
    data = yaml.safe_load(circular_yaml())
    data["to"] = [{"children_of": "geliping-park", "kind": "branch-union"}]
    write(project, f"circulars/2024/{CIRCULAR}.yaml", yaml.safe_dump(data, allow_unicode=True))
    build(project)
    assert "各分工会" in text_of(project)
    write(
        project,
        "circulars/organizations.yaml",
        orgs.replace("group: {en: branch unions, zh: 分工会}", "group: {en: branch unions, zh: 车间分工会}"),
    )
    output = build(project)
    assert "Wrote 1 Word document to build/docx/ (0 up to date)" in output
    assert "车间分工会" in text_of(project)
