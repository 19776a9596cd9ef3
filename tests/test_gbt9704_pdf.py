"""GB/T 9704-2012 measured in the PDF that LibreOffice renders from the Word documents.

The shipped Chinese circulars and a few made for the rules (joint issuance,
sealed and unsealed; a three-line title; a numbered, addressed copy with
secrecy and urgency marks; text that fills page 2) are written as .docx,
converted to PDF in one LibreOffice run with templates/fonts.conf, their 版记
page settled as the build's PDF step settles it (docx/closing_page), and
measured with PyMuPDF: where
each character, rule and page number lands, in millimetres from the page's
top-left corner, against the standard's figures and tolerances. The README's
"GB/T 9704, measured" table lists the rules. GBT9704_PDFS=DIR keeps the PDFs
in DIR to look at.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
from pathlib import Path

import jieba
import pytest
from conftest import REPO

from generator.docx.build import build_documents
from generator.docx.closing_page import ON_TEXT_PAGE, UNNUMBERED, settle
from generator.docx.preview import to_pdf
from generator.docx.writer import DocxWriter
from generator.render.renderer import CopyMarks, Renderer
from generator.source.body_model import Attachment, Document
from generator.source.loading import load_project
from generator.source.model import Classification

pytest.importorskip("pymupdf")
from pdf_reading import MM, Line, Page, Rule, read_pdf

# The type area (版心), GB/T 9704 §5.2.2: 156 × 225 mm, 37 mm from the top, 28 mm from the left.
TOP, BOTTOM, LEFT, RIGHT = 37.0, 262.0, 28.0, 184.0
CHAR = 156 / 28  # a body character when 28 fill a line
WIDE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e“”‘’—…·]")
SHIPPED = ["panzhihua-2024-07", "sichuan-2022-05", "sichuan-2024-12", "fujian-2023-28"]
ENGLISH = ["chemchina-2012-03", "sichuan-2024-12-en"]  # the international layout


def _need(program: str) -> None:
    if shutil.which(program) is None:
        if os.environ.get("CIRCULARS_REQUIRE_TOOLS"):
            pytest.fail(f"{program} is required (CIRCULARS_REQUIRE_TOOLS is set)")
        pytest.skip(f"{program} is not installed")


# --- the documents --------------------------------------------------------------

LETTER, LETTER_COPY, LETTER_URGENT = "letter", "letter-copy", "letter-urgent"
LONG_TITLE = "关于进一步加强新时代产业工人队伍建设改革推动全省工会干部下基层驻点工作常态化长效化的通知"
# an attachment's and an issued document's long titles, and the shipped example whose
# 回执 has a title longer than a line
TITLES, SYSU = "attachment-titles", "sysu-2016-12-12-congress-meeting"
LONG_ATTACHMENT_TITLE = "关于进一步加强新时代产业工人队伍建设改革的工作任务清单及责任分工"
LONG_DOCUMENT_TITLE = "四川省总工会推动全省工会干部下基层驻点工作常态化长效化的实施方案"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, list[Page]]:
    _need("soffice")
    project = load_project(REPO)
    out = tmp_path_factory.mktemp("gbt9704")
    source = {c.id: c for c in project.circulars}
    made = {
        # joint issuance: sealed signatures side by side, unsealed ones stacked
        "joint-sealed": source["sichuan-2024-12"].model_copy(
            update={"id": "joint-sealed", "issuer": ["sichuan-ftu", "panzhihua-ftu"]}
        ),
        "joint-unsealed": source["sichuan-2022-05"].model_copy(
            update={"id": "joint-unsealed", "issuer": ["sichuan-ftu", "panzhihua-ftu"], "seal": False}
        ),
        "long-title": source["sichuan-2022-05"].model_copy(update={"id": "long-title", "title": LONG_TITLE}),
        "unsealed": source["sichuan-2022-05"].model_copy(update={"id": "unsealed", "seal": False}),
        "no-closing-block": source["sichuan-2022-05"].model_copy(
            update={"id": "no-closing-block", "cc": [], "printing": False}
        ),
        "person-sealed": source["panzhihua-2024-07"].model_copy(
            update={"id": "person-sealed", "seal": "person", "attachments": []}
        ),
        # the letter form (信函格式, §10.1), two pages of text and a 版记
        LETTER: source["sichuan-2022-05"].model_copy(update={"id": LETTER, "kind": "letter"}),
        # a letter whose first line under the rule is the urgency, in 黑体
        LETTER_URGENT: source["sichuan-2022-05"].model_copy(
            update={"id": LETTER_URGENT, "kind": "letter", "urgency": "urgent", "cc": []}
        ),
        # text that ends on page 2 too low for the 版记 to share its page: a blank page
        # 3 and the 版记 on page 4, neither numbered (§7.5)
        FULL_EVEN_PAGE: source["sichuan-2022-05"].model_copy(
            update={
                "id": FULL_EVEN_PAGE,
                "background": source["sichuan-2022-05"].background + "驻点" * 111 + "。",
            }
        ),
        TITLES: source["sichuan-2022-05"].model_copy(
            update={
                "id": TITLES,
                "documents": [Document(title=LONG_DOCUMENT_TITLE, text="为推动驻点工作常态化，制定本方案。")],
                "attachments": [Attachment(title=LONG_ATTACHMENT_TITLE, text="各单位按清单分工落实。")],
            }
        ),
    }
    circulars = [source[name] for name in [*SHIPPED, *ENGLISH, SYSU]] + list(made.values())
    result = build_documents(project, circulars, out, jobs=1)
    assert result.errors == []
    # a numbered, addressed copy with secrecy and urgency marks (§7.2.1–7.2.3)
    marked = source["panzhihua-2024-07"].model_copy(
        update={
            "id": "copy",
            "urgency": "very-urgent",
            "classification": Classification(level="secret", period="1年"),
        }
    )
    rendered = Renderer(REPO, project.registry).render(
        marked, copy=CopyMarks("000004", "格里坪焦化有限公司工会")
    )
    (out / "copy.docx").write_bytes(DocxWriter(REPO, project.registry).write(rendered).data)
    letter_copy = marked.model_copy(update={"id": LETTER_COPY, "kind": "letter"})
    rendered = Renderer(REPO, project.registry).render(
        letter_copy, copy=CopyMarks("000004", "格里坪焦化有限公司工会")
    )
    (out / f"{LETTER_COPY}.docx").write_bytes(DocxWriter(REPO, project.registry).write(rendered).data)
    documents = sorted(out.glob("*.docx"))
    converted = to_pdf(documents, Path(os.environ.get("GBT9704_PDFS", out / "pdf")), REPO)
    # the 版记 page settled as the build's PDF step settles it
    SETTLED.update(
        {docx.stem: how for docx, how in settle(list(zip(documents, converted, strict=True)), REPO).items()}
    )
    return {pdf.stem: read_pdf(pdf) for pdf in converted}


SETTLED: dict[str, str] = {}  # how the fixture's documents' 版记 pages were settled
FULL_EVEN_PAGE = "full-even-page"


def _chinese(pdfs):
    """The documents in the ordinary form (文件格式): not the copy, not the letter."""
    others = ("copy", LETTER, LETTER_COPY, LETTER_URGENT, TITLES, SYSU, *ENGLISH)
    return [name for name in pdfs if name not in others]


def _with_closing_block(pdfs):
    return [name for name in _chinese(pdfs) if name != "no-closing-block"]


RED = 0xFF0000


def _first_page_parts(page: Page) -> tuple[list[Line], Line, Rule, list[Line]]:
    """The organ mark's lines, the document number, the red rule, the title's lines."""
    mark = [line for line in page.lines if line.color == RED]
    number = next(line for line in page.lines if re.search(r"〔\d{4}〕\d+号", line.text))
    rule = next(r for r in page.rules if r.color[0] > 0.9 and r.color[1] < 0.1 and r.y > number.bottom)
    title = [line for line in page.lines if line.top > rule.y and abs(line.size - 22) < 0.5]
    return mark, number, rule, title


def _body_lines(pages: list[Page]) -> list[tuple[Page, Line]]:
    """Lines of 16 pt text inside the type area."""
    return [
        (page, line)
        for page in pages
        for line in page.lines
        if abs(line.size - 16) < 0.5 and line.top > TOP - 1 and line.bottom < BOTTOM + 1
    ]


# --- 1. the closing block (版记) on an even last page ---------------------------------


def _text_pages(pages: list[Page]) -> list[Page]:
    """The pages with text on them besides the 版记's."""
    return [
        p
        for p in pages
        if [
            line
            for line in p.lines
            if line.top < BOTTOM and "印发" not in line.text and "抄送" not in line.text
        ]
    ]


def test_closing_block_on_an_even_last_page_numbered_unless_after_a_blank_page(pdfs):
    for name in _with_closing_block(pdfs):
        pages = pdfs[name]
        last = pages[-1]
        assert len(pages) % 2 == 0, f"{name}: {len(pages)} pages, the 版记 on odd page {len(pages)}"
        imprint = last.find("印发")
        assert "抄送" in last.text
        # its last rule on the bottom of the type area (±1 mm)
        bottom_rule = max((r for r in last.rules if r.y > imprint.bottom), key=lambda r: r.y)
        assert abs(bottom_rule.y - BOTTOM) <= 1.0, f"{name}: last rule at {bottom_rule.y:.1f} mm"
        # §7.5: after a blank page, neither that page nor the 版记 page is numbered;
        # otherwise the 版记 page is numbered as every page is
        before = pages[-2]
        footer = last.footer()
        if not [line for line in before.lines if line.top < BOTTOM]:
            assert before.footer() is None, f"{name}: blank page {before.number} is numbered"
            assert footer is None, f"{name}: the 版记 page after a blank page is numbered {footer.text}"
        else:
            assert footer is not None and footer.text == f"—{last.number}—", (
                f"{name}: the 版记 page unnumbered"
            )


def test_closing_block_where_the_text_ends(pdfs):
    """Each way the text can end is measured: on an odd page (the 版记 page follows,
    numbered); on an even page with room (the 版记 at its foot, §7.4 "the last side");
    on an even page without room (a blank page, then the 版记 page, neither numbered)."""
    endings = {}
    for name in _with_closing_block(pdfs):
        pages = pdfs[name]
        text_end = _text_pages(pages)[-1].number
        if text_end == len(pages):
            endings.setdefault("on the text's last page", name)
            assert SETTLED.get(name) == ON_TEXT_PAGE, name
        elif text_end == len(pages) - 1:
            endings.setdefault("on the page after the text", name)
            assert text_end % 2 == 1 and name not in SETTLED, name
        else:
            assert text_end == len(pages) - 2 and text_end % 2 == 0, f"{name}: text ends on {text_end}"
            assert SETTLED.get(name) == UNNUMBERED, name
            endings.setdefault("after a blank page", name)
    assert len(endings) == 3, endings
    # the shipped example whose text ends on page 2 with room: two pages, not four
    assert len(pdfs["sichuan-2022-05"]) == 2 and SETTLED["sichuan-2022-05"] == ON_TEXT_PAGE
    assert len(pdfs[FULL_EVEN_PAGE]) == 4 and SETTLED[FULL_EVEN_PAGE] == UNNUMBERED


# --- 2. the red rule 4 mm below the document number ---------------------------------


def test_red_rule_four_mm_below_the_document_number(pdfs):
    for name in _chinese(pdfs):
        page = pdfs[name][0]
        _, number, rule, _ = _first_page_parts(page)
        _, ink_bottom = page.ink(number.left, number.top, number.right, rule.y - 0.5)
        assert abs(rule.y - ink_bottom - 4) <= 0.5, f"{name}: {rule.y - ink_bottom:.1f} mm"
        assert abs(rule.left - LEFT) <= 0.5 and abs(rule.right - RIGHT) <= 0.5, name


# --- 3 and 4. the title ---------------------------------------------------------------


def test_title_lines_follow_at_about_one_line_of_their_size(pdfs):
    for name in _chinese(pdfs):
        _, _, rule, title = _first_page_parts(pdfs[name][0])
        size = 22 * MM
        for upper, lower in itertools.pairwise(title):
            assert size <= lower.baseline - upper.baseline <= 1.5 * size, (
                f"{name}: title lines {lower.baseline - upper.baseline:.1f} mm apart"
            )
        assert title and title[0].top - rule.y < 2 * 28.95 * MM + 3, name  # two lines below the rule


def _assert_balanced(name: str, title: list[Line]) -> None:
    """Broken only where jieba ends a word, into lines of balanced length, centred."""
    texts = [line.text for line in title]
    whole = "".join(texts)
    boundaries = {0}
    for _word, _, end in jieba.tokenize(whole):
        boundaries.add(end)
    breaks = [sum(map(len, texts[: i + 1])) for i in range(len(texts) - 1)]
    assert all(b in boundaries for b in breaks), f"{name}: {'｜'.join(texts)}"
    lengths = [len(t) for t in texts]
    # a trapezoid or diamond: no short orphan line under a nearly full one
    assert min(lengths) >= 0.6 * max(lengths), f"{name}: {'｜'.join(texts)}"
    for line in title:
        assert abs(line.centre - (LEFT + RIGHT) / 2) <= 1.0, name


def test_title_breaks_between_words_in_a_balanced_shape(pdfs):
    multi = 0
    for name in _chinese(pdfs):
        _, _, _, title = _first_page_parts(pdfs[name][0])
        if len(title) < 2:
            continue
        multi += 1
        _assert_balanced(name, title)
    assert multi >= 2


def _later_titles(pages: list[Page]) -> list[list[Line]]:
    """The 2号 titles after the first page (attachments', issued documents'), one list a page."""
    found = [[line for line in page.lines if abs(line.size - 22) < 0.5] for page in pages[1:]]
    return [title for title in found if title]


def test_attachment_and_document_titles_break_as_the_title_does(pdfs):
    """A long attachment or issued-document title breaks between words into balanced
    lines one line apart, as the circular's title does; an attachment's title on the
    type area's third line, under the 附件 label on the first (GB/T 9704 §7.3.7)."""
    (sysu,) = _later_titles(pdfs[SYSU])
    assert [line.text for line in sysu] == ["第九届教职工代表大会、第二十届", "工会会员代表大会工作会议回执"]
    document, attachment = _later_titles(pdfs[TITLES])
    assert "".join(line.text for line in document) == LONG_DOCUMENT_TITLE
    assert "".join(line.text for line in attachment) == LONG_ATTACHMENT_TITLE
    pitch = 225 / 22
    for name, title in [(SYSU, sysu), (TITLES, document), (TITLES, attachment)]:
        assert len(title) >= 2, f"{name}: {title[0].text}"
        _assert_balanced(name, title)
        for upper, lower in itertools.pairwise(title):
            assert 22 * MM <= lower.baseline - upper.baseline <= 1.5 * 22 * MM, (
                f"{name}: title lines {lower.baseline - upper.baseline:.1f} mm apart"
            )
    for name, title in [(SYSU, sysu), (TITLES, attachment)]:
        page = next(p for p in pdfs[name] if title[0] in p.lines)
        label = page.find("附件")
        assert TOP < label.baseline <= TOP + pitch, f"{name}: 附件 at {label.baseline:.1f} mm"
        assert TOP + 2 * pitch < title[0].baseline <= TOP + 3 * pitch, f"{name}: {title[0].baseline:.1f} mm"


def test_every_attachment_title_sits_on_the_third_line(pdfs):
    """GB/T 9704 §7.3.7: 附件 and its number on the type area's first line, the
    attachment's title centred on its third, a title of one line as much as one
    of several (a 2号 line on the grid would take two lines and sit on the fourth)."""
    pitch = 225 / 22
    one_line = 0
    for name in [*_chinese(pdfs), TITLES, SYSU]:
        for page in pdfs[name][1:]:
            title = [line for line in page.lines if abs(line.size - 22) < 0.5]
            labels = [
                line for line in page.lines if line.text.startswith("附件") and line.baseline <= TOP + pitch
            ]
            if not title or not labels:
                continue  # not an attachment's first page
            assert labels[0].baseline > TOP, f"{name}: 附件 at {labels[0].baseline:.1f} mm"
            assert TOP + 2 * pitch < title[0].baseline <= TOP + 3 * pitch, (
                f"{name} page {page.number}: {title[0].text} at {title[0].baseline:.1f} mm"
            )
            one_line += len(title) == 1
    assert one_line >= 3


# --- 5. 28 characters a line, 22 lines a page -------------------------------------------


NO_LINE_START = "，。、；：？！）》”’"
NO_LINE_END = "（《“‘"


def test_a_full_body_line_holds_28_characters(pdfs):
    """Lines of Chinese text that reach the right edge hold 28 characters (26 after
    the first-line indent), except where punctuation that may not start a line
    pulls a character down with it, or a bracket may not end one."""
    full = 0
    for name in _chinese(pdfs):
        lines = _body_lines(pdfs[name])
        for (_, line), (_, after) in itertools.pairwise(lines):
            if not all(WIDE.fullmatch(c) for c, _, _ in line.chars) or line.right < RIGHT - CHAR:
                continue
            indent = round((line.left - LEFT) / CHAR)
            if indent not in (0, 2):
                continue
            assert len(line.chars) <= 28 - indent, f"{name}: {len(line.chars)} characters in {line.text}"
            # a character pulled down by punctuation, or a number that does not fit whole
            if (
                set(after.text[:3]) & set(NO_LINE_START)
                or line.text[-1] in NO_LINE_END
                or after.text[:1] in NO_LINE_END
                or after.text[:1].isascii()
            ):
                continue
            full += 1
            assert len(line.chars) == 28 - indent, f"{name}: {len(line.chars)} characters in {line.text}"
    assert full > 50


def test_lines_follow_the_grid_of_22_a_page(pdfs):
    pitch = 225 / 22
    for name in _chinese(pdfs):
        for page in pdfs[name]:
            body = [line for line in page.lines if abs(line.size - 16) < 0.5 and TOP < line.top < BOTTOM]
            for upper, lower in itertools.pairwise(body):
                gap = lower.baseline - upper.baseline
                if gap < 2 * pitch:  # lines of one paragraph or of neighbouring paragraphs
                    assert abs(gap - pitch) <= 0.3 or abs(gap - 2 * pitch) <= 0.3, (
                        f"{name} page {page.number}: {gap:.2f} mm between {upper.text[:8]} and {lower.text[:8]}"
                    )


# --- 6. signature and date ---------------------------------------------------------------

DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def _signature_and_date(pages: list[Page], names: list[str]) -> tuple[list[Line], Line]:
    date = next(line for page in pages for line in page.lines if DATE.match(line.text))
    page = next(p for p in pages if date in p.lines)
    above = [
        line for line in page.lines if line.baseline < date.baseline and line.baseline > date.baseline - 60
    ]
    signatures = [line for line in above if any(n in line.text for n in names)]
    return signatures, date


def test_sealed_signature_centred_over_the_date_four_characters_in(pdfs):
    for name, issuers in (
        ("panzhihua-2024-07", ["攀枝花市总工会"]),
        ("sichuan-2024-12", ["四川省总工会"]),
        ("fujian-2023-28", ["福建省总工会"]),
    ):
        signatures, date = _signature_and_date(pdfs[name], issuers)
        assert len(signatures) == 1, name
        assert abs(date.right - (RIGHT - 4 * 16 * MM)) <= 1.0, (
            f"{name}: date ends {RIGHT - date.right:.1f} mm in"
        )
        assert abs(signatures[0].centre - date.centre) <= 1.0, (
            f"{name}: signature centred {signatures[0].centre - date.centre:+.1f} mm off the date"
        )


def test_unsealed_signature_two_characters_in_and_date_two_further(pdfs):
    """§7.3.5.2: the date's first character two right of the signature's, and the
    longer of the two two characters from the right."""
    signatures, date = _signature_and_date(pdfs["unsealed"], ["四川省总工会"])
    (signature,) = signatures
    assert abs(date.left - (signature.left + 2 * 16 * MM)) <= 1.0, f"{date.left - signature.left:.1f} mm"
    right = max(date.right, signature.right)
    assert abs(right - (RIGHT - 2 * 16 * MM)) <= 1.0, f"{RIGHT - right:.1f} mm"


def test_joint_signatures_side_by_side_when_sealed_stacked_when_not(pdfs):
    names = ["四川省总工会", "攀枝花市总工会"]
    signatures, date = _signature_and_date(pdfs["joint-sealed"], names)
    assert len(signatures) == 1 and all(n in signatures[0].text for n in names), [s.text for s in signatures]
    first, second = (signatures[0].span(n) for n in names)
    assert first[1] < second[0]
    assert abs(date.right - (RIGHT - 4 * 16 * MM)) <= 1.0
    signatures, date = _signature_and_date(pdfs["joint-unsealed"], names)
    assert [s.text for s in signatures] == names
    assert abs(date.left - (signatures[-1].left + 2 * 16 * MM)) <= 1.0


def test_signature_seal_of_a_person_four_characters_in_with_title_and_date_a_line_below(pdfs):
    """§7.3.5.3: the signatory's seal four characters from the right, their title two
    characters to its left; the date a blank line below, four characters from the right."""
    signatures, date = _signature_and_date(pdfs["person-sealed"], ["黄武明"])
    (signature,) = signatures
    char = 16 * MM
    assert abs(signature.right - (RIGHT - 4 * char)) <= 1.0, f"{RIGHT - signature.right:.1f} mm"
    title_right = signature.span("党组书记")[1]
    assert abs(signature.span("黄武明")[0] - title_right - 2 * char) <= 1.0, signature.text
    assert abs(date.right - (RIGHT - 4 * char)) <= 1.0, f"{RIGHT - date.right:.1f} mm"
    assert abs(date.baseline - signature.baseline - 2 * 28.95 * MM) <= 1.5, (
        f"{date.baseline - signature.baseline:.1f} mm"
    )


# --- 7. the closing block's lines ------------------------------------------------------------


def test_imprint_one_character_in_from_each_side(pdfs):
    char = 14 * MM
    for name in _with_closing_block(pdfs):
        last = pdfs[name][-1]
        imprint = last.find("印发")
        assert abs(imprint.right - (RIGHT - char)) <= 0.5, (
            f"{name}: 印发 ends {RIGHT - imprint.right:.1f} mm in"
        )
        assert abs(imprint.left - (LEFT + char)) <= 0.5, (
            f"{name}: organ starts {imprint.left - LEFT:.1f} mm in"
        )
        cc = last.find("抄送")
        assert abs(cc.left - (LEFT + char)) <= 0.5, name
        assert abs(imprint.size - 14) < 0.5 and abs(cc.size - 14) < 0.5


# --- 8. joint issuance: the organ mark ----------------------------------------------------------


def test_joint_organ_mark_stacked_with_wenjian_centred_beside(pdfs):
    for name in ("joint-sealed", "joint-unsealed"):
        mark, *_ = _first_page_parts(pdfs[name][0])
        names = [line for line in mark if "文件" not in line.text or len(line.text) > 2]
        wenjian = next(line for line in mark if line.text.endswith("文件"))
        rows = [line.text.replace("文件", "") for line in mark]
        assert rows[0].startswith("四川省总工会") and "攀枝花市总工会" in "".join(rows[1:]), rows
        stack_top, stack_bottom = min(n.top for n in names), max(n.bottom for n in names)
        w_left, _ = wenjian.span("文件")
        assert w_left > max(n.span(n.text.replace("文件", "")[:2])[0] for n in names), name
        w_line = next(line for line in mark if "文件" in line.text)
        w_centre = (w_line.top + w_line.bottom) / 2
        assert abs(w_centre - (stack_top + stack_bottom) / 2) <= 1.5, f"{name}: 文件 at {w_centre:.1f} mm"


# --- 9 and 10. numbers unbroken, punctuation within half a character -------------------------


def test_numbers_are_not_broken_across_lines(pdfs):
    for name in _chinese(pdfs):
        lines = _body_lines(pdfs[name])
        for (_, upper), (_, lower) in itertools.pairwise(lines):
            if upper.text[-1:].isdigit() and lower.text[:1].isdigit():
                raise AssertionError(f"{name}: {upper.text[-6:]}｜{lower.text[:6]}")


def test_no_space_between_chinese_and_digits_in_the_xml():
    """Word honours w:autoSpaceDE/DN; LibreOffice ignores them, so the XML is checked."""
    from docx_reading import NS, style

    path = REPO / "templates" / "gbt9704.docx"
    normal = style(path, "Normal").find("w:pPr", NS)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = normal.find(tag, NS)
        assert element is not None and element.get(f"{{{NS['w']}}}val") in ("0", "false"), tag


def test_punctuation_hangs_at_most_half_a_character(pdfs):
    for name in _chinese(pdfs):
        for page in pdfs[name]:
            for line in page.lines:
                if TOP < line.top < BOTTOM:
                    assert line.right <= RIGHT + CHAR / 2 + 0.1, (
                        f"{name} page {page.number}: {line.right - RIGHT:.1f} mm past the type area: {line.text}"
                    )
                    assert line.left >= LEFT - 0.1, f"{name} page {page.number}: {line.text}"


# --- 11. tables -------------------------------------------------------------------------------


def test_tables_align_with_the_type_area_and_keep_dates_whole(pdfs):
    measured = 0
    for name in _chinese(pdfs):
        for page in pdfs[name]:
            grid = [r for r in page.rules if r.color == (0, 0, 0) or max(r.color) < 0.1]
            for rule in grid:
                if rule.y < BOTTOM - 30:  # table borders, not the 版记's rules
                    measured += 1
                    assert abs(rule.left - LEFT) <= 0.5 and abs(rule.right - RIGHT) <= 0.5, (
                        f"{name} page {page.number}: table from {rule.left:.1f} to {rule.right:.1f} mm"
                    )
            for line in page.lines:
                if line.size < 15:
                    for match in re.finditer(r"\d{4}年\d", line.text):
                        assert re.match(r"\d+年\d+月\d+日", line.text[match.start() :]), (
                            f"{name}: {line.text}"
                        )
    assert measured > 0


# --- also: page numbers, headings, marks, fonts ---------------------------------------------------


def test_without_a_closing_block_every_page_is_numbered(pdfs):
    """No 版记, no even-page section for it: page 1 is numbered like the rest."""
    pages = pdfs["no-closing-block"]
    assert not any("抄送" in line.text or "印发" in line.text for page in pages for line in page.lines)
    assert [page.footer().text if page.footer() else None for page in pages] == [
        f"—{page.number}—" for page in pages
    ]


def test_page_numbers_seven_mm_below_the_type_area(pdfs):
    char = 14 * MM
    for name in _chinese(pdfs):
        for page in pdfs[name]:
            footer = page.footer()
            if footer is None:
                continue
            assert re.fullmatch(rf"—{page.number}—", footer.text), footer.text
            # the dash (一字线) left of the number 7 mm below the type area (§7.5)
            # (from half a millimetre below the type area: the 版记's last rule ends on it)
            dash_top, _ = page.ink(footer.chars[0][1], BOTTOM + 0.5, footer.chars[0][2], footer.bottom)
            assert abs(dash_top - (BOTTOM + 7)) <= 1.0, (
                f"{name} page {page.number}: {dash_top - BOTTOM:.1f} mm"
            )
            if page.number % 2:
                assert abs(footer.right - (RIGHT - char)) <= 0.5, name
            else:
                assert abs(footer.left - (LEFT + char)) <= 0.5, name


def test_every_heading_level_in_its_font(pdfs):
    found = {}
    for name in _chinese(pdfs):
        for _, line in _body_lines(pdfs[name]):
            for level, pattern in (
                (1, r"[一二三四五六七八九十]+、"),
                (2, r"（[一二三四五六七八九十]+）"),
                (3, r"\d+\."),
                (4, r"（\d+）"),
            ):
                if re.match(pattern, line.text) and abs(line.left - (LEFT + 2 * CHAR)) < 1:
                    found.setdefault(level, set()).add(line.font)
    assert sorted(found) == [1, 2, 3, 4]
    assert all("Sans" in f or "Hei" in f for f in found[1]), found[1]
    assert any("Kai" in f for f in found[2]), found[2]
    assert any("Fang" in f for f in found[3] | found[4]), found


def test_fonts_play_the_standard_roles(pdfs):
    page = pdfs["panzhihua-2024-07"][0]
    mark, number, _, title = _first_page_parts(page)
    assert "Fang" in number.font, number.font
    assert all("Serif" in line.font and "Bold" in line.font for line in mark + title), [m.font for m in mark]
    body = [line for _, line in _body_lines(pdfs["panzhihua-2024-07"]) if len(line.text) > 20]
    assert all("Fang" in line.font for line in body[:5]), [line.font for line in body[:5]]


def test_copy_number_secrecy_and_urgency_top_left(pdfs):
    page = pdfs["copy"][0]
    lines = [line for line in page.lines if line.top < TOP + 30]
    first = lines[0]
    assert first.text.startswith("000004")
    assert abs(first.left - LEFT) <= 0.3 and abs(first.size - 16) < 0.5
    assert first.top >= TOP - 1 and first.bottom <= TOP + 225 / 22 + 1, f"top {first.top:.1f} mm"
    texts = [line.text for line in lines]
    assert any(t.startswith("机密★1年") for t in texts) and any(t.startswith("特急") for t in texts), texts
    for line in lines:
        if line.text.startswith(("机密", "特急")):
            assert abs(line.left - LEFT) <= 0.3 and ("Sans" in line.font or "Hei" in line.font), line.font
    mark, *_ = _first_page_parts(page)
    assert abs(mark[0].top - (TOP + 35)) <= 1.5, (
        f"organ mark top {mark[0].top - TOP:.1f} mm into the type area"
    )


# --- the letter form (信函格式, §10.1) --------------------------------------------------------


def _double_rules(page: Page) -> list[tuple[Rule, Rule]]:
    """The red double rules, top to bottom, each as (upper line, lower line)."""
    red = sorted(
        {
            (round(r.y, 2), round(r.width, 2)): r for r in page.rules if r.color[0] > 0.9 and r.color[1] < 0.1
        }.values(),
        key=lambda r: r.y,
    )
    pairs = [(a, b) for a, b in itertools.pairwise(red) if b.y - a.y < 1.5]
    return pairs


def test_letter_mark_30_mm_from_the_page_top_and_double_rule_4_mm_below(pdfs):
    page = pdfs[LETTER][0]
    mark = next(line for line in page.lines if line.color == RED)
    assert mark.text == "四川省总工会" and "文件" not in page.text  # no 文件 in the letter form
    ink_top, ink_bottom = page.red_ink(mark.left, mark.top - 3, mark.right, mark.bottom)
    assert abs(ink_top - 30) <= 1.0, f"mark's top {ink_top:.1f} mm from the page top"
    (upper, lower), _ = _double_rules(page)
    assert upper.width > 2 * lower.width, "the first double rule is thick over thin (上粗下细)"
    gap = upper.y - upper.width / 2 - ink_bottom
    assert abs(gap - 4) <= 0.5, f"the double rule {gap:.1f} mm below the mark"
    assert abs((mark.left + mark.right) / 2 - (LEFT + RIGHT) / 2) <= 0.5
    number = next(line for line in page.lines if re.search(r"〔\d{4}〕\d+号", line.text))
    assert number.top > lower.y and abs(number.right - RIGHT) <= 0.5  # under the rule, at the right edge


def test_letter_double_rules_170_mm_centred_the_second_20_mm_above_the_foot(pdfs):
    page = pdfs[LETTER][0]
    rules = _double_rules(page)
    assert len(rules) == 2, [(r.y, r.width) for r in page.rules]
    for line in itertools.chain(*rules):
        assert abs(line.right - line.left - 170) <= 0.5, f"{line.right - line.left:.1f} mm long"
        # centred on the type area, as the mark and the title are
        assert abs((line.left + line.right) / 2 - (LEFT + RIGHT) / 2) <= 0.5
    upper, lower = rules[1]
    assert lower.width > 2 * upper.width, "the second double rule is thin over thick (上细下粗)"
    middle = (upper.y + lower.y) / 2
    assert abs(297 - middle - 20) <= 1.0, f"{297 - middle:.1f} mm above the foot of the page"
    # the later pages have neither rule nor mark
    assert all(not _double_rules(p) for p in pdfs[LETTER][1:])
    assert all(line.color != RED for p in pdfs[LETTER][1:] for line in p.lines)


def test_letter_copy_number_secrecy_and_urgency_under_the_first_double_rule(pdfs):
    page = pdfs[LETTER_COPY][0]
    (_, rule), _ = _double_rules(page)
    lines = [line for line in page.lines if line.top > rule.y and line.left < LEFT + 0.3]
    texts = [line.text for line in lines[:3]]
    assert (
        texts[0].startswith("000004") and texts[1].startswith("机密★1年") and texts[2].startswith("特急")
    ), texts
    for upper, lower in itertools.pairwise(lines[:3]):  # one a line, a line apart
        assert abs(lower.baseline - upper.baseline - 225 / 22) <= 0.3
    # the number takes the right end of the first line, the copy's addressee the next
    assert texts[0].endswith("攀工发〔2024〕7号") and texts[1].endswith("发：格里坪焦化有限公司工会"), texts
    assert abs(lines[1].right - RIGHT) <= 1.0


def _under_the_rule(page: Page) -> tuple[Rule, list[Line]]:
    """The first double rule's lower line, and the 3号 lines between it and the title."""
    (_, rule), _ = _double_rules(page)
    title = next(line for line in page.lines if abs(line.size - 22) < 0.5)
    return rule, [line for line in page.lines if rule.y < line.top < title.top and line.size < 17]


def test_letter_number_at_the_right_end_of_the_first_line_under_the_rule(pdfs):
    """§10.1: the number at the right edge of the type area under the first double rule,
    on the line of the first of copy number, secrecy and urgency (on a line of its own
    when there are none), that line's ink 7/8 of a 3号 character (4.94 mm) below the rule."""
    for name, first in [(LETTER, "川工发〔2022〕5号"), (LETTER_COPY, "000004"), (LETTER_URGENT, "加急")]:
        page = pdfs[name][0]
        rule, lines = _under_the_rule(page)
        number = lines[0]  # one baseline (PyMuPDF groups characters within 0.5 mm)
        assert number.text.startswith(first) and re.search(r"〔\d{4}〕\d+号$", number.text), number.text
        if name != LETTER:  # the first of copy number, secrecy and urgency at the left
            assert abs(number.left - LEFT) <= 0.3, f"{name}: {number.text} at {number.left:.1f} mm"
        assert abs(number.right - RIGHT) <= 1.0, f"{name}: the number ends at {number.right:.1f} mm"
        ink_top, _ = page.ink(number.left, number.top - 1, number.right, number.bottom + 1)
        below = ink_top - (rule.y + rule.width / 2)
        assert abs(below - 16 * 7 / 8 * MM) <= 0.5, f"{name}: the first line {below:.2f} mm under the rule"


def test_letter_title_two_lines_below_the_last_element_above_it(pdfs):
    """§10.1: the title two lines below the last element above it (two blank lines:
    baselines three lines apart), and the text then on its grid as in the 文件 form."""
    for name in (LETTER, LETTER_COPY, LETTER_URGENT):
        page = pdfs[name][0]
        _, lines = _under_the_rule(page)
        title = next(line for line in page.lines if abs(line.size - 22) < 0.5)
        apart = title.baseline - lines[-1].baseline
        assert abs(apart - 3 * 225 / 22) <= 1.5, f"{name}: title {apart:.1f} mm under {lines[-1].text}"
    # the recipients one blank line under the title, as in the 文件 form
    page = pdfs[LETTER][0]
    title = [line for line in page.lines if abs(line.size - 22) < 0.5]
    recipients = page.find("各市（州）总工会")
    assert abs(recipients.baseline - title[-1].baseline - 2 * 225 / 22) <= 1.0


def test_letter_closing_block_without_rules(pdfs):
    """§10.1: the letter form's 版记 has no 印发 line and no separator rules; it stays at
    the foot of the type area on the last page."""
    last = pdfs[LETTER][-1]
    cc = last.find("抄送：中华全国总工会。")
    assert "印发" not in last.text
    assert not [rule for rule in last.rules if max(rule.color) < 0.1], "a black rule in a letter's 版记"
    assert BOTTOM - 225 / 22 <= cc.bottom <= BOTTOM + 0.5, f"抄送 ends at {cc.bottom:.1f} mm"


def test_letter_first_page_unnumbered_the_second_numbered(pdfs):
    pages = pdfs[LETTER]
    assert len(pages) >= 2
    assert pages[0].footer() is None, pages[0].footer().text
    assert pages[1].footer() is not None and pages[1].footer().text == "—2—"


# --- the international layout ---------------------------------------------------------------


def test_international_closing_block_never_alone_and_tables_on_the_margins(pdfs):
    margin = 1417 / 20 * MM
    for name in ENGLISH:
        pages = pdfs[name]
        signature_page = next(p for p in pages if any(line.text.startswith("cc:") for line in p.lines))
        text = [
            line
            for line in signature_page.lines
            if line.top < 297 - margin and not line.text.startswith("cc")
        ]
        # the signing organization and the cc line share their page with the end of the text
        assert len(text) >= 3, f"{name}: page {signature_page.number} holds only {[t.text for t in text]}"
        tables = [r for p in pages for r in p.rules if max(r.color) < 0.1]
        assert tables, name
        for rule in tables:
            assert abs(rule.left - margin) <= 0.5 and abs(rule.right - (210 - margin)) <= 0.5, (
                f"{name}: table from {rule.left:.1f} to {rule.right:.1f} mm"
            )
