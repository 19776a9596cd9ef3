"""The changed passages of a redline (docx/redline.py) as HTML for a circular's page.

Only paragraphs and table rows with a change are shown (a changed table keeps
its first row, the headings, to be read by). Insertions are <ins>, deletions
<del>, each with words a screen reader says where it starts and ends: colour
is never the only cue (the stylesheet underlines and strikes through, in print
too). Every text goes out through escaping.html.
"""

from __future__ import annotations

from lxml import etree

from .escaping import html

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_JOINER = "\u2060"  # the writer's word joiners (docx/body.py): nothing to show on a page


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _has_change(element) -> bool:
    return any(True for _ in element.iter(_w("ins"), _w("del")))


def _hidden(text: str) -> str:
    return f'<span class="change-label">{html(text)}</span>'


class ChangesHtml:
    """Writes the changes of one redline in the words of one language."""

    def __init__(self, labels: dict[str, str]):
        self.labels = labels

    def document(self, document_xml: bytes) -> str:
        """The changed blocks of a redline's word/document.xml, in order."""
        root = etree.fromstring(document_xml, etree.XMLParser(huge_tree=True))
        body = root.find(_w("body"))
        out = []
        for block in body:
            if block.tag == _w("p") and _has_change(block):
                out.append(self.paragraph(block))
            elif block.tag == _w("tbl") and _has_change(block):
                out.append(self.table(block))
        return "".join(out)

    def paragraph(self, paragraph, tag: str = "p") -> str:
        whole = paragraph.find(f"{_w('pPr')}/{_w('rPr')}")
        kind = ""
        if whole is not None and whole.find(_w("ins")) is not None:
            kind = ' class="inserted-paragraph"'
        elif whole is not None and whole.find(_w("del")) is not None:
            kind = ' class="deleted-paragraph"'
        return f"<{tag}{kind}>{self.content(paragraph)}</{tag}>"

    def content(self, parent) -> str:
        out = []
        for child in parent:
            if child.tag == _w("r"):
                out.append(self.run(child))
            elif child.tag == _w("ins"):
                inner = self.content(child)
                if inner:
                    labels = self.labels
                    out.append(
                        f"<ins>{_hidden(labels['inserted_start'])}{inner}{_hidden(labels['inserted_end'])}</ins>"
                    )
            elif child.tag == _w("del"):
                inner = self.content(child)
                if inner:
                    labels = self.labels
                    out.append(
                        f"<del>{_hidden(labels['deleted_start'])}{inner}{_hidden(labels['deleted_end'])}</del>"
                    )
            elif child.tag in (_w("hyperlink"), _w("smartTag")):
                out.append(self.content(child))
        return "".join(out)

    def run(self, run) -> str:
        out = []
        for part in run:
            if part.tag in (_w("t"), _w("delText")):
                out.append(html((part.text or "").replace(_JOINER, "")))
            elif part.tag in (_w("br"), _w("cr")):
                out.append("<br>")
            elif part.tag == _w("tab"):
                out.append(" ")
        return "".join(out)

    def table(self, table) -> str:
        rows = table.findall(_w("tr"))
        shown = [row for number, row in enumerate(rows) if number == 0 or _has_change(row)]
        out = []
        for row in shown:
            mark = row.find(f"{_w('trPr')}/{_w('ins')}"), row.find(f"{_w('trPr')}/{_w('del')}")
            kind = ' class="inserted-row"' if mark[0] is not None else ""
            kind = ' class="deleted-row"' if mark[1] is not None else kind
            cells = "".join(
                "<td>" + "<br>".join(self.content(p) for p in cell.iter(_w("p"))) + "</td>"
                for cell in row.findall(_w("tc"))
            )
            out.append(f"<tr{kind}>{cells}</tr>")
        return f'<div class="table-scroll"><table class="changed-table">{"".join(out)}</table></div>'
