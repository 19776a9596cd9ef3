"""The README and the developer docs it links to: every link to a file or a heading resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown viewers) give a heading."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, re.M)}


def _links(path: Path) -> list[str]:
    text = _CODE.sub("", _FENCE.sub("", path.read_text(encoding="utf-8")))
    return [m.group(1) for m in _LINK.finditer(text)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_local_link_resolves(document):
    local = [link for link in _links(document) if not re.match(r"[a-z]+:", link)]
    assert local
    for link in local:
        target, _, anchor = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        assert path.is_file(), f"{document.name}: {link}: no such file"
        if anchor:
            assert anchor in _anchors(path), f"{document.name}: {link}: no such heading"


def test_the_readme_leads_to_the_developer_docs():
    links = _links(REPO / "README.md")
    for doc in sorted((REPO / "docs").glob("*.md")):
        assert any(link.split("#")[0] == f"docs/{doc.name}" for link in links), doc.name
    assert len(DOCUMENTS) >= 3
