"""Reading a built .docx back, the way the tests check what Word would show."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from generator.docx.package import read_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
JOINER = "\u2060"  # keeps dates whole on a line (generator/docx/body.py); Word shows nothing of it


def blocks(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph in body order, table cells included, as Word shows it."""
    document = docx.Document(str(path))
    names = {s.style_id: s.name for s in document.styles}
    out = []
    for element in document.element.body.iter(qn("w:p")):
        style = element.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        name = names.get(style.get(qn("w:val")), "?") if style is not None else "Normal"
        text = "".join(
            t.text or ("\t" if t.tag == qn("w:tab") else "") for t in element.iter(qn("w:t"), qn("w:tab"))
        )
        out.append((name, text.replace(JOINER, "")))
    return out


def xml(path: Path, part: str) -> etree._Element:
    return etree.fromstring(read_parts(path)[part])


def style(path: Path, name: str) -> etree._Element:
    styles = xml(path, "word/styles.xml")
    for element in styles.iter(f"{{{W}}}style"):
        if element.find("w:name", NS).get(f"{{{W}}}val").lower() == name.lower():
            return element
    raise KeyError(name)


def attr(element, path: str, name: str) -> str | None:
    found = element.find(path, NS)
    return None if found is None else found.get(f"{{{W}}}{name}")
