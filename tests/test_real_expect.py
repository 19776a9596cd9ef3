"""Five real circulars, shipped as examples, against what a faithful rendering of
each must contain (tests/real/NAME.expect.json, written from the original's text
independently of the tool; a copy of ../shared/real/).

The Word document is read paragraph by paragraph in document order (headers and
footers too) and normalised as the expect files assume: NFKC (full-width
punctuation equals half-width), curly quotes straight, all white space removed.
Checked, as ../shared/tools/real_expect.py scores them: every fragment, in order;
no forbidden text; the document number printed, or no number line at all; each
expected table as a distinct Word table of at least its rows × columns; the
number of attachments (marks 附件1 / Attachment 2, or else items of the note).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO
from lxml import etree, html

from generator.docx.build import build_documents
from generator.docx.package import read_parts
from generator.source.loading import load_project

EXPECTED = REPO / "tests" / "real"
SHARED = REPO.parent / "shared" / "real"
EXAMPLES = {  # expect file → the shipped circular
    "gz-2021-tekun": "gz-2021-tekun",
    "gz-2025-dibao": "gz-2025-dibao",
    "rmt-2015-np183": "rmt-2015-np-183",
    "xmu-2017-pioneer": "xmu-2017-pioneer",
    "zqcz-2016-training": "zqcz-2016-training",
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'}
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_INVISIBLE)
    return re.sub(r"\s+", "", text)


def expectation(name: str) -> dict:
    return json.loads((EXPECTED / f"{name}.expect.json").read_text(encoding="utf-8"))


# --- reading the Word document -----------------------------------------------------


def _paragraph_text(paragraph) -> str:
    """The paragraph's own text (a text box inside it has paragraphs of its own)."""
    out = []
    for element in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"):
        owner = next(a for a in element.iterancestors() if a.tag == f"{W}p")
        if owner is not paragraph:
            continue
        if element.tag == f"{W}t":
            out.append(element.text or "")
        else:
            out.append("-" if element.tag == f"{W}noBreakHyphen" else " ")
    return "".join(out)


class Read:
    """The document's normalised text, its paragraphs, and its tables (rows, columns, start)."""

    def __init__(self, path: Path):
        parts = read_parts(path.read_bytes())
        others = sorted(name for name in parts if re.fullmatch(r"word/(header|footer)\d*\.xml", name))
        heads = [name for name in others if "header" in name]
        feet = [name for name in others if "footer" in name]
        body = etree.fromstring(parts["word/document.xml"])
        paragraphs, self.tables = [], []
        for name in heads:
            paragraphs += [_paragraph_text(p) for p in etree.fromstring(parts[name]).iter(f"{W}p")]
        before_body = len(paragraphs)
        body_paragraphs = list(body.iter(f"{W}p"))
        paragraphs += [_paragraph_text(p) for p in body_paragraphs]
        for name in feet:
            paragraphs += [_paragraph_text(p) for p in etree.fromstring(parts[name]).iter(f"{W}p")]
        self.paragraphs = [norm(p) for p in paragraphs]
        offsets, at = [], 0
        for p in self.paragraphs:
            offsets.append(at)
            at += len(p)
        self.text = "".join(self.paragraphs)
        index = {id(p): i for i, p in enumerate(body_paragraphs)}
        for table in body.iter(f"{W}tbl"):
            rows = table.findall(f"{W}tr")
            columns = max((_columns(row) for row in rows), default=0)
            columns = max(columns, len(table.findall(f"{W}tblGrid/{W}gridCol")))
            first = next(table.iter(f"{W}p"), None)
            start = offsets[before_body + index[id(first)]] if first is not None else len(self.text)
            self.tables.append((len(rows), columns, start))


def _columns(row) -> int:
    spans = [cell.find(f"{W}tcPr/{W}gridSpan") for cell in row.findall(f"{W}tc")]
    return sum(int(span.get(f"{W}val")) if span is not None else 1 for span in spans)


# --- the checks ----------------------------------------------------------------------


def in_order(text: str, fragments: list[str]) -> list[int | None]:
    """The largest set of fragments found in order, none overlapping the one before:
    each fragment's position in it, or None. A fragment that also occurs elsewhere
    (a title repeated as a subject) cannot push the others out of order."""
    wanted = [norm(f) for f in fragments]
    nodes = []
    for i, fragment in enumerate(wanted):
        start = text.find(fragment) if fragment else -1
        while start >= 0:
            nodes.append((i, start))
            start = text.find(fragment, start + 1)
    best: dict[tuple[int, int], tuple[int, tuple[int, int] | None]] = {}
    for node in nodes:
        i, at = node
        score, back = 1, None
        for previous, (count, _) in best.items():
            j, was = previous
            if j < i and was + len(wanted[j]) <= at and count + 1 > score:
                score, back = count + 1, previous
        best[node] = (score, back)
    found: list[int | None] = [None] * len(fragments)
    node = max(best, key=lambda n: (best[n][0], -n[1])) if best else None
    while node is not None:
        found[node[0]] = node[1]
        node = best[node][1]
    return found


NUMBER_LINE = {
    "zh": re.compile(r"^[^,，。;；:：、《》(（]{0,24}[〔\[【(]\s*(?:19|20)\d{2}\s*[〕\]】)]\s*第?\d+号"),
    "en": re.compile(
        r"^(?:ref(?:erence)?|ourref|yourref|circular|circularno|circularnumber|documentno)[.:：]"
        r"|^circularno\.?[A-Za-z0-9]|\[(?:19|20)\d{2}\]No\.?\d+",
        re.IGNORECASE,
    ),
}
MARK = {
    "zh": re.compile(r"^附件[0-9一二三四五六七八九十]*$"),
    "en": re.compile(r"^(?:attachment|annex|appendix|enclosure|schedule)[0-9A-Z]*[:.]?$", re.IGNORECASE),
}
NOTE = {
    "zh": re.compile(r"^附件?[:：](.*)$"),
    "en": re.compile(
        r"^(?:attachments?|annex(?:es)?|appendix|appendices|enclosures?|encl\.?)[:：](.*)$", re.IGNORECASE
    ),
}
ITEM = re.compile(r"^\(?\d+[.、)]")


def number_lines(document: Read, language: str) -> list[str]:
    pattern = NUMBER_LINE[language]
    if language == "zh":
        return [p for p in document.paragraphs if len(p) <= 40 and pattern.match(p)]
    return [p for p in document.paragraphs if pattern.search(p)]


def attachments(document: Read, language: str) -> int:
    """Attachment marks (附件1, Attachment 2, …), or else the items of the attachment note."""
    marks = sum(1 for p in document.paragraphs if MARK[language].match(p))
    if marks:
        return marks
    for i, paragraph in enumerate(document.paragraphs):
        note = NOTE[language].match(paragraph)
        if note is None:
            continue
        rest = note.group(1)
        items = 1 if rest else 0
        if not rest or ITEM.match(rest):
            for following in document.paragraphs[i + 1 :]:
                if not following:
                    continue
                if not ITEM.match(following):
                    break
                items += 1
        return items
    return 0


def failures(document: Read, expected: dict) -> list[str]:
    """Every check the document fails, said in words; [] when it scores full marks."""
    language = expected.get("language", "zh")
    fragments = expected.get("must_contain", [])
    found = in_order(document.text, fragments)
    failed = [
        f"{'out of order' if norm(f) in document.text else 'missing'}: {f}"
        for f, at in zip(fragments, found, strict=True)
        if at is None
    ]
    ends = {f: at + len(norm(f)) for f, at in zip(fragments, found, strict=True) if at is not None}
    failed += [
        f"forbidden: {bad}" for bad in expected.get("must_not_contain", []) if norm(bad) in document.text
    ]
    number = expected.get("number")
    lines = number_lines(document, language)
    if number and norm(number) not in document.text:
        failed.append(f"number {number} not printed (number lines: {lines})")
    if not number and lines:
        failed.append(f"the original has no number; printed: {lines[0]}")
    free = list(document.tables)
    for table in sorted(expected.get("tables", []), key=lambda t: -t.get("rows", 1) * t.get("cols", 1)):
        rows, columns = table.get("rows", 1), table.get("cols", 1)
        start = ends.get(table["after"], len(document.text) + 1) if table.get("after") else 0
        fits = [t for t in free if t[0] >= rows and t[1] >= columns and t[2] >= start]
        if fits:
            free.remove(min(fits, key=lambda t: (t[0] * t[1], t[2])))
        else:
            failed.append(f"no table of at least {rows}×{columns} (tables: {document.tables})")
    if expected.get("attachments") is not None:
        counted = attachments(document, language)
        if counted != expected["attachments"]:
            failed.append(f"attachments: the original has {expected['attachments']}, the document {counted}")
    return failed


# --- the tests -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project():
    project = load_project(REPO)
    assert not project.diagnostics.has_errors()
    return project


@pytest.fixture(scope="module")
def documents(project, tmp_path_factory) -> dict[str, Read]:
    chosen = [project.source(circular_id).circular for circular_id in EXAMPLES.values()]
    out = tmp_path_factory.mktemp("real-expect")
    result = build_documents(project, chosen, out, jobs=1)
    assert not result.errors
    return {name: Read(out / f"{circular_id}.docx") for name, circular_id in EXAMPLES.items()}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_scores_full_marks(documents, name):
    assert failures(documents[name], expectation(name)) == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_site_page_shows_the_same_in_order(example_site, name):
    """The site's page of the circular: every fragment in order, nothing forbidden."""
    page = example_site / "site" / "circulars" / EXAMPLES[name] / "index.html"
    circular = html.fromstring(page.read_text(encoding="utf-8")).cssselect(".circular")[0]
    text = norm(circular.text_content())
    expected = expectation(name)
    fragments = expected["must_contain"]
    assert [f for f, at in zip(fragments, in_order(text, fragments), strict=True) if at is None] == []
    assert [bad for bad in expected["must_not_contain"] if norm(bad) in text] == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_names_its_source(project, name):
    """`source:` gives the page the text was transcribed from."""
    assert expectation(name)["source"] in project.source(EXAMPLES[name]).circular.source


def test_the_checks_fail_what_is_not_faithful(documents):
    """The scoring itself: a fragment out of order, a forbidden text, a wrong count
    or an extra number line each fail."""
    rmt = documents["rmt-2015-np183"]
    expected = expectation("rmt-2015-np183")
    swapped = dict(expected, must_contain=["Yours sincerely,", "Dear Colleague,"])
    assert failures(rmt, swapped) in (["out of order: Dear Colleague,"], ["out of order: Yours sincerely,"])
    assert failures(rmt, dict(expected, must_not_contain=["Mick Cash"])) == ["forbidden: Mick Cash"]
    assert failures(rmt, dict(expected, attachments=1)) == ["attachments: the original has 1, the document 0"]
    assert failures(rmt, dict(expected, tables=[{"rows": 1, "cols": 1}]))[0].startswith("no table")
    assert failures(rmt, dict(expected, number=None))[0].startswith("the original has no number")
    # 附：… counts as a note of one item; the xmu note lists its .doc file as the page does
    assert attachments(documents["zqcz-2016-training"], "zh") == 1
    assert attachments(documents["xmu-2017-pioneer"], "zh") == 1


@pytest.mark.skipif(not SHARED.is_dir(), reason="no ../shared/real beside the clone")
def test_expect_files_are_the_shared_ones():
    for name in EXAMPLES:
        assert (EXPECTED / f"{name}.expect.json").read_bytes() == (
            SHARED / f"{name}.expect.json"
        ).read_bytes()
