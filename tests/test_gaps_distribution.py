"""Distribution at its edges, each written for a planted bug that survived the suite
(issue 25): copies of an `all_under` selector numbered in the registry's order, and an
addressee whose name has XML's special characters, read back from the copy's .docx."""

from __future__ import annotations

from pathlib import Path

import docx
import yaml
from conftest import ORGANIZATIONS, circular_yaml, run, write

CIRCULAR = "panzhihua-2024-07"

# three unions under the park, in this order, the first with a union of its own; the third's
# name has every character XML escapes
UNIONS = """\
  - id: coking-workshop-union
    name: {en: Coking Workshop Union, zh: 焦化车间工会}
    kind: grassroots-union
    parent: coking-union
  - id: steel-union
    name: {en: Steel Union, zh: 钢铁公司工会}
    kind: grassroots-union
    parent: geliping-park
  - id: amp-union
    name: {en: "A&B <Joint> \\"Union\\"", zh: "东方&西方<联合>“工会”"}
    kind: grassroots-union
    parent: geliping-park
"""


def project_with_unions(project: Path) -> Path:
    write(project, "circulars/organizations.yaml", ORGANIZATIONS + UNIONS)
    data = yaml.safe_load(circular_yaml())
    data["to"] = [{"all_under": "geliping-park", "label": "园区各基层工会"}]
    write(project, f"circulars/2024/{CIRCULAR}.yaml", yaml.safe_dump(data, allow_unicode=True))
    return project


# Catches all_under walking its first level in reverse: copies are numbered (and mailed)
# depth first in registry order.
def test_copies_follow_the_registry_order_depth_first(project):
    project_with_unions(project)
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (project / "dist" / CIRCULAR).iterdir() if p.is_dir())
    assert folders == [
        "000001-coking-union",
        "000002-coking-workshop-union",
        "000003-steel-union",
        "000004-amp-union",
    ]


# Catches the addressee stamped into document.xml without escaping: the copy must open,
# and say the name as written.
def test_an_addressee_with_xml_characters_reads_back_from_the_copy(project):
    project_with_unions(project)
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    assert result.exit_code == 0, result.output
    copy = project / "dist" / CIRCULAR / "000004-amp-union" / f"{CIRCULAR}-000004.docx"
    document = docx.Document(str(copy))
    addressee = [p.text for p in document.paragraphs if p.style.name == "Addressee"]
    assert addressee == ["发：东方&西方<联合>“工会”"]
