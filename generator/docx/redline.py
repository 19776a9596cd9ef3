"""A redline: the NEW edition's Word document with every difference from the OLD
one as a Word tracked change.

It is made from the two bodies the writer writes (writer.py), not from the YAML:
whatever the templates and layout rules put in a document is compared, and what
is the same is the NEW document's XML as `circulars build` writes it. Blocks
(paragraphs, tables) and then table rows are aligned by their text; a changed
paragraph or cell keeps its NEW properties and has its words compared
(redline_words.py), the way Word's Compare Documents does. Accepting every
change gives the NEW edition's text, rejecting every change the OLD one's.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml import etree

from .body import xml_attribute, xml_text
from .redline_words import changes, similarity, tokens

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = f' xmlns:w="{W}"'
_BOTH = f'{_NS} xmlns:r="{R}"'
# below this, two paragraphs (or rows) in a changed stretch are one deleted and one inserted
_ALIKE = 0.5


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Atom:
    """One character of a paragraph (or a break, a tab, other run content as `xml`),
    with how it looks and the hyperlink it sits in."""

    char: str
    properties: str  # the run's w:rPr as XML, or ""
    link: str  # the open tag of its w:hyperlink, or ""
    xml: str = ""  # for content that is not text: <w:br/>, <w:tab/>, …


_SPECIAL = {_w("br"): "\n", _w("cr"): "\n", _w("tab"): "\t"}


def _serial(element) -> str:
    return etree.tostring(element, encoding="unicode").replace(_NS, "")


def atoms(paragraph) -> list[Atom]:
    out: list[Atom] = []

    def runs(parent, link: str) -> None:
        for child in parent:
            if child.tag == _w("r"):
                props = child.find(_w("rPr"))
                properties = _serial(props) if props is not None else ""
                for part in child:
                    if part.tag in (_w("t"), _w("delText")):
                        out.extend(Atom(c, properties, link) for c in part.text or "")
                    elif part.tag != _w("rPr"):
                        out.append(Atom(_SPECIAL.get(part.tag, "\ufffc"), properties, link, _serial(part)))
            elif child.tag == _w("hyperlink"):
                attributes = "".join(f' {_qname(k)}="{xml_attribute(v)}"' for k, v in child.attrib.items())
                runs(child, f"<w:hyperlink{attributes}>")
            elif child.tag == _w("fldSimple"):
                # as a field of runs (begin, instruction, separate, result, end): a run can be
                # inserted or deleted, a w:fldSimple cannot
                first = child.find(f"{_w('r')}/{_w('rPr')}")
                properties = _serial(first) if first is not None else ""
                instruction = xml_text(child.get(_w("instr"), ""))
                start = (
                    '<w:fldChar w:fldCharType="begin"/>',
                    f'<w:instrText xml:space="preserve">{instruction}</w:instrText>',
                    '<w:fldChar w:fldCharType="separate"/>',
                )
                out.extend(Atom("\ufffc", properties, link, xml) for xml in start)
                runs(child, link)
                out.append(Atom("\ufffc", properties, link, '<w:fldChar w:fldCharType="end"/>'))
            elif child.tag in (_w("ins"), _w("smartTag")):
                runs(child, link)

    runs(paragraph, "")
    return out


def _qname(key: str) -> str:
    if key.startswith(f"{{{R}}}"):
        return "r:" + key.split("}")[1]
    return "w:" + key.split("}")[1] if key.startswith("{") else key


_TEXT_TAGS = (_w("t"), _w("delText"), _w("br"), _w("cr"), _w("tab"))


def block_text(element) -> str:
    """The text a paragraph or table shows, to align blocks by (what `atoms` reads,
    without making them: most blocks are only compared whole)."""
    if element.tag == _w("tbl"):
        return "\x01" + "\x1e".join(_row_text(row) for row in element.iter(_w("tr")))
    return "".join(
        (node.text or "") if node.tag in (_TEXT_TAGS[0], _TEXT_TAGS[1]) else _SPECIAL[node.tag]
        for node in element.iter(*_TEXT_TAGS)
    )


def _row_text(row) -> str:
    return "\x1f".join("\n".join(block_text(p) for p in cell.iter(_w("p"))) for cell in row.iter(_w("tc")))


@dataclass
class Marks:
    """Writes the w:ins and w:del of one document: author, date and unique ids."""

    author: str
    date: str  # ISO 8601, e.g. 2024-05-06T00:00:00Z
    next_id: int = 1

    def open(self, kind: str) -> str:
        number, self.next_id = self.next_id, self.next_id + 1
        return f'<w:{kind} w:id="{number}" w:author="{xml_attribute(self.author)}" w:date="{self.date}"'

    def element(self, kind: str):
        return etree.fromstring(f"{self.open(kind)}{_NS}/>")

    def runs(self, items: list[Atom], kind: str, before: list[Atom] | None = None) -> str:
        """The atoms as runs: as they are (kind ""), inserted ("ins") or deleted ("del").
        `before`, for text left as it was, is OLD's same text: where it looked otherwise
        (bold, italic, a style), the change of format is tracked too (w:rPrChange)."""
        if not items:
            return ""
        if before is not None:  # NEW's and OLD's properties, where they differ, to group runs by
            items = [
                a
                if a.properties == b.properties
                else Atom(a.char, f"{a.properties}\0{b.properties}", a.link, a.xml)
                for a, b in zip(items, before, strict=True)
            ]
        out, text_tag = [], "w:delText" if kind == "del" else "w:t"
        group: list[Atom] = []

        def flush() -> None:
            if not group:
                return
            first = group[0]
            body, text = [], ""
            for atom in group:
                if atom.xml:
                    if text:
                        body.append(f'<{text_tag} xml:space="preserve">{xml_text(text)}</{text_tag}>')
                        text = ""
                    # a deleted field's instruction is w:delInstrText, as deleted text is w:delText
                    body.append(
                        atom.xml.replace("w:instrText", "w:delInstrText") if kind == "del" else atom.xml
                    )
                else:
                    text += atom.char
            if text:
                body.append(f'<{text_tag} xml:space="preserve">{xml_text(text)}</{text_tag}>')
            run = f"<w:r>{self._properties(first.properties)}{''.join(body)}</w:r>"
            if kind:
                run = f"{self.open(kind)}>{run}</w:{kind}>"
            out.append(f"{first.link}{run}</w:hyperlink>" if first.link else run)
            group.clear()

        for atom in items:
            link = "" if kind == "del" else atom.link  # an OLD link's relationship is not in NEW
            atom = Atom(atom.char, atom.properties, link, atom.xml)
            if group and (group[0].properties, group[0].link) != (atom.properties, atom.link):
                flush()
            group.append(atom)
        flush()
        return "".join(out)

    def _properties(self, properties: str) -> str:
        """A run's w:rPr; for "NEW\\0OLD", NEW's with OLD's kept in a w:rPrChange."""
        if "\0" not in properties:
            return properties
        new, old = properties.split("\0")
        inner = "" if not new or new.endswith("/>") else new[len("<w:rPr>") : -len("</w:rPr>")]
        return f"<w:rPr>{inner}{self.open('rPrChange')}>{old or '<w:rPr/>'}</w:rPrChange></w:rPr>"


def _content(paragraph, runs_xml: str):
    """`paragraph` with its content (all but w:pPr) replaced by `runs_xml`."""
    for child in list(paragraph):
        if child.tag != _w("pPr"):
            paragraph.remove(child)
    for child in etree.fromstring(f"<w:p{_BOTH}>{runs_xml}</w:p>"):
        paragraph.append(child)
    return paragraph


def _mark_paragraph(paragraph, marks: Marks, kind: str) -> None:
    """Mark a paragraph's mark (its pilcrow) as inserted or deleted."""
    properties = paragraph.find(_w("pPr"))
    if properties is None:
        properties = etree.SubElement(paragraph, _w("pPr"))
        paragraph.insert(0, properties)
    run_properties = properties.find(_w("rPr"))
    if run_properties is None:
        run_properties = etree.Element(_w("rPr"))
        section = properties.find(_w("sectPr"))
        if section is not None:
            section.addprevious(run_properties)
        else:
            properties.append(run_properties)
    run_properties.insert(0, marks.element(kind))


def inserted_paragraph(new, marks: Marks, mark_end: bool = True):
    out = _content(copy.deepcopy(new), marks.runs(atoms(new), "ins"))
    if mark_end:
        _mark_paragraph(out, marks, "ins")
    return out


def deleted_paragraph(old, marks: Marks, mark_end: bool = True):
    out = _content(copy.deepcopy(old), marks.runs(atoms(old), "del"))
    section = out.find(f"{_w('pPr')}/{_w('sectPr')}")
    if section is not None:  # the layout is NEW's: an OLD section break does not come back
        section.getparent().remove(section)
    if mark_end:
        _mark_paragraph(out, marks, "del")
    return out


def changed_paragraph(old, new, marks: Marks):
    """NEW's paragraph, its words compared with OLD's."""
    old_atoms, new_atoms = atoms(old), atoms(new)
    old_text, new_text = "".join(a.char for a in old_atoms), "".join(a.char for a in new_atoms)
    if old_text == new_text:
        if [a.properties for a in old_atoms] == [a.properties for a in new_atoms]:
            return copy.deepcopy(new)
        return _content(copy.deepcopy(new), marks.runs(new_atoms, "", old_atoms))
    old_words, new_words = tokens(old_text), tokens(new_text)
    old_at, new_at = _offsets(old_words), _offsets(new_words)
    out = []
    for tag, i1, i2, j1, j2 in changes(old_words, new_words):
        if tag == "equal":
            out.append(marks.runs(new_atoms[new_at[j1] : new_at[j2]], "", old_atoms[old_at[i1] : old_at[i2]]))
        else:
            out.append(marks.runs(old_atoms[old_at[i1] : old_at[i2]], "del"))
            out.append(marks.runs(new_atoms[new_at[j1] : new_at[j2]], "ins"))
    return _content(copy.deepcopy(new), "".join(out))


def _offsets(words: list[str]) -> list[int]:
    out = [0]
    for word in words:
        out.append(out[-1] + len(word))
    return out


def _pairs(old: list, new: list, old_keys: list[str], new_keys: list[str], pairable) -> list[tuple]:
    """Blocks aligned: ("same" | "pair", old, new), ("del", old, None), ("ins", None, new).
    Equal keys are kept; in a changed stretch, blocks alike enough are paired in order."""
    out: list[tuple] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [("same", old[i], new[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
            continue
        out += _pair_stretch(old[i1:i2], new[j1:j2], old_keys[i1:i2], new_keys[j1:j2], pairable)
    return out


def _pair_stretch(old, new, old_keys, new_keys, pairable) -> list[tuple]:
    """The best pairing in order (most likeness) of a changed stretch, by dynamic programming."""
    n, m = len(old), len(new)
    if n * m > 2500:  # a rewrite, not an edit: nothing to pair
        return [("del", o, None) for o in old] + [("ins", None, x) for x in new]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    alike = {}
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            if pairable(old[i], new[j]):
                value = similarity(old_keys[i], new_keys[j])
                if value >= _ALIKE:
                    alike[i, j] = value
                    best = max(best, value + score[i + 1][j + 1])
            score[i][j] = best
    out, i, j = [], 0, 0
    while i < n or j < m:
        if i < n and j < m and (i, j) in alike and score[i][j] == alike[i, j] + score[i + 1][j + 1]:
            out.append(("pair", old[i], new[j]))
            i, j = i + 1, j + 1
        elif i < n and (j == m or score[i][j] == score[i + 1][j]):
            out.append(("del", old[i], None))
            i += 1
        else:
            out.append(("ins", None, new[j]))
            j += 1
    return out


def _same_kind(old, new) -> bool:
    return old.tag == new.tag


def compare_blocks(old: list, new: list, marks: Marks) -> list:
    """The blocks of a body or a cell, NEW's with OLD's differences tracked."""
    pairs = _pairs(old, new, [block_text(b) for b in old], [block_text(b) for b in new], _same_kind)
    out = []
    for kind, before, after in pairs:
        if kind == "same" and (after.tag == _w("tbl") or _serial(before) == _serial(after)):
            out.append(after)  # NEW's paragraph or table exactly as written
        elif kind in ("same", "pair"):
            out.append(
                changed_table(before, after, marks)
                if after.tag == _w("tbl")
                else changed_paragraph(before, after, marks)
            )
        elif kind == "del":
            out.append(
                _whole_table(before, marks, "del")
                if before.tag == _w("tbl")
                else deleted_paragraph(before, marks)
            )
        elif kind == "ins":
            out.append(
                _whole_table(after, marks, "ins")
                if after.tag == _w("tbl")
                else inserted_paragraph(after, marks)
            )
    return out


def _rows(table) -> list:
    return table.findall(_w("tr"))


def _cells(row) -> list:
    return row.findall(_w("tc"))


def _row_pairable(old, new) -> bool:
    return len(_cells(old)) == len(_cells(new))


def changed_table(old, new, marks: Marks):
    """NEW's table; its rows aligned with OLD's, inserted and deleted rows tracked,
    the cells of paired rows compared paragraph by paragraph."""
    out = copy.deepcopy(new)
    for row in _rows(out):
        out.remove(row)
    old_rows, new_rows = _rows(old), _rows(new)
    pairs = _pairs(
        old_rows, new_rows, [_row_text(r) for r in old_rows], [_row_text(r) for r in new_rows], _row_pairable
    )
    for kind, before, after in pairs:
        if kind == "del":
            out.append(_marked_row(before, marks, "del"))
        elif kind == "ins":
            out.append(_marked_row(after, marks, "ins"))
        else:
            row = copy.deepcopy(after)
            for old_cell, cell in zip(_cells(before), _cells(row), strict=True):
                paragraphs = compare_blocks(_blocks(old_cell), _blocks(cell), marks)
                _replace_blocks(cell, paragraphs)
            out.append(row)
    return out


def _blocks(container) -> list:
    return [child for child in container if child.tag in (_w("p"), _w("tbl"))]


def _replace_blocks(container, blocks: list) -> None:
    for child in _blocks(container):
        container.remove(child)
    for block in blocks:
        container.append(block)


def _marked_row(row, marks: Marks, kind: str):
    """A whole row inserted or deleted: w:trPr/w:ins|w:del, and its text marked too."""
    out = copy.deepcopy(row)
    properties = out.find(_w("trPr"))
    if properties is None:
        properties = etree.Element(_w("trPr"))
        exceptions = out.find(_w("tblPrEx"))
        if exceptions is not None:
            exceptions.addnext(properties)
        else:
            out.insert(0, properties)
    properties.append(marks.element(kind))
    for cell in _cells(out):
        made = [
            (inserted_paragraph if kind == "ins" else deleted_paragraph)(p, marks, mark_end=False)
            if p.tag == _w("p")
            else _whole_table(p, marks, kind)
            for p in _blocks(cell)
        ]
        _replace_blocks(cell, made)
    return out


def _whole_table(table, marks: Marks, kind: str):
    out = copy.deepcopy(table)
    for row in _rows(out):
        row.addprevious(_marked_row(row, marks, kind))
        out.remove(row)
    return out


def redline_document(old_xml: bytes, new_xml: bytes, marks: Marks) -> bytes:
    """NEW's word/document.xml with OLD's differences as tracked changes."""
    parser = etree.XMLParser(huge_tree=True, remove_blank_text=False)
    old_root, new_root = etree.fromstring(old_xml, parser), etree.fromstring(new_xml, parser)
    old_body, new_body = old_root.find(_w("body")), new_root.find(_w("body"))
    blocks = compare_blocks(_blocks(old_body), _blocks(new_body), marks)
    _replace_blocks_before_section(new_body, blocks)
    return etree.tostring(new_root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _replace_blocks_before_section(body, blocks: list) -> None:
    """The body's blocks replaced, its closing w:sectPr (NEW's page setup) kept last."""
    section = body.find(_w("sectPr"))
    for child in _blocks(body):
        body.remove(child)
    for block in blocks:
        if section is not None:
            section.addprevious(block)
        else:
            body.append(block)
