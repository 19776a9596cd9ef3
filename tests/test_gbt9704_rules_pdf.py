"""GB/T 9704 rules measured in LibreOffice's PDF on documents made to break them.

Dates and document numbers placed at every position near a line's end, titles
whose digits LibreOffice spaces out, joint and long sealed signatures, unsealed
signatures, a 版记 page after the text's last page, a wrapped 附件说明. Built
in one LibreOffice run; GBT9704_PDFS=DIR keeps the PDFs in DIR.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import jieba
import pytest
from conftest import REPO
from test_gbt9704_pdf import BOTTOM, LEFT, RIGHT, TOP, _need

from generator.docx.build import build_documents
from generator.docx.preview import to_pdf
from generator.source.body_model import Attachment
from generator.source.loading import load_project

pytest.importorskip("pymupdf")
from pdf_reading import MM, Line, Page, read_pdf

DATES = "dates"
# A date or number from 16 to 27 characters into a paragraph: over the lines of
# the paragraphs one of them reaches the end of a line at each of its characters.
DATED = "于2024年4月18日和2024年9月30日前完成川工发〔2024〕12号文件的任务，9月30日前报送。"
WHOLE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|〔\d{4}〕\d+号")
JOINT = ["四川省总工会", "攀枝花市总工会"]
# 14 characters: centred over 2022年3月1日 it ends 0.6 mm inside the type area
LONG_NAME = "四川省总工会驻点工作领导小组"
# 20 characters, a 2号 line's worth, but for the space LibreOffice puts round 2024
DIGIT_TITLE = "关于开展2024年度全省工会经费审计工作通知"
# written in two lines (a `|` block), the first longer than a line
WRITTEN_TITLE = "关于进一步加强和改进新时代产业工人队伍建设改革工作\n推动全省工会干部下基层驻点工作的通知"
# attachment names longer than a line (§7.3.4: a wrapped name under its first character)
LONG_NAMES = [
    "关于进一步加强新时代产业工人队伍建设改革推动全省工会干部下基层驻点工作的任务分工方案",
    "全省工会干部下基层驻点工作常态化长效化机制建设情况统计表及填报说明",
]
LINE = 225 / 22  # the grid's line pitch, mm
CHAR = 16 * MM


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, list[Page]]:
    _need("soffice")
    project = load_project(REPO)
    source = {c.id: c for c in project.circulars}
    base = source["sichuan-2022-05"]
    out = tmp_path_factory.mktemp("gbt9704-rules")
    made = [
        base.model_copy(
            update={
                "id": DATES,
                "background": "\n\n".join("各" * n + DATED for n in range(16, 28)),
                "requirements": [],
                "schedule": [],
            }
        ),
        source["sichuan-2024-12"].model_copy(
            update={"id": "joint-sealed", "issuer": ["sichuan-ftu", "panzhihua-ftu"]}
        ),
        base.model_copy(update={"id": "long-sealed", "signature": [LONG_NAME]}),
        base.model_copy(update={"id": "unsealed", "seal": False}),
        base.model_copy(update={"id": "digit-title", "title": DIGIT_TITLE}),
        base.model_copy(
            update={
                "id": "attachments",
                "attachments": [Attachment(title=n, text="各单位落实。") for n in LONG_NAMES],
            }
        ),
        base.model_copy(
            update={"id": "attachment", "attachments": [Attachment(title=LONG_NAMES[0], text="各单位落实。")]}
        ),
        base.model_copy(update={"id": "written-title", "title": WRITTEN_TITLE}),
        base.model_copy(update={"id": "publicity", "publicity": "主动公开"}),
        base.model_copy(
            update={"id": "joint-unsealed", "seal": False, "issuer": ["sichuan-ftu", "panzhihua-ftu"]}
        ),
    ]
    result = build_documents(project, made, out, jobs=1)
    assert result.errors == []
    documents = sorted(out.glob("*.docx"))
    return {
        pdf.stem: read_pdf(pdf)
        for pdf in to_pdf(documents, Path(os.environ.get("GBT9704_PDFS", out / "pdf")), REPO)
    }


def _text_lines(pages: list[Page]) -> list[Line]:
    return [line for page in pages for line in page.lines if line.top > TOP - 1 and line.bottom < BOTTOM + 1]


# --- (a) dates and document numbers whole ------------------------------------------------


def test_dates_and_document_numbers_are_never_broken_across_lines(pdfs):
    lines = [line.text.replace("\u2060", "") for line in _text_lines(pdfs[DATES])]
    text = "".join(lines)
    ends = set(itertools.accumulate(len(line) for line in lines))
    measured = 0
    for match in WHOLE.finditer(text):
        measured += 1
        inside = [end for end in ends if match.start() < end < match.end()]
        assert not inside, (
            f"broken: {match[0][: inside[0] - match.start()]}｜{match[0][inside[0] - match.start() :]}"
        )
    assert measured >= 12 * 4


# --- signatures (§7.3.5) -------------------------------------------------------------------

DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def _signature_block(pages: list[Page], names: list[str]) -> tuple[list[Line], Line, Line]:
    """The signature lines, the date, and the text's last line above them."""
    page = next(p for p in pages if any(DATE.match(line.text) for line in p.lines))
    date = next(line for line in page.lines if DATE.match(line.text))
    signed = re.compile("(" + "|".join(map(re.escape, names)) + ")+")
    signatures = [line for line in page.lines if signed.fullmatch(line.text) and line.top < date.top]
    above = [line for line in page.lines if line.top > TOP - 1 and line.bottom < signatures[0].top]
    return signatures, date, above[-1]


def test_joint_sealed_date_centred_under_the_last_name(pdfs):
    """§7.3.5.1, figure A.5: the date four characters in, under the last issuer's name, not the pair's."""
    (row,), date, _ = _signature_block(pdfs["joint-sealed"], JOINT)
    left, right = row.span(JOINT[-1])
    assert abs(date.right - (184 - 4 * CHAR)) <= 1.0, f"date ends {184 - date.right:.1f} mm in"
    assert abs((left + right) / 2 - date.centre) <= 1.0, f"{(left + right) / 2 - date.centre:+.1f} mm"
    assert row.span(JOINT[0])[1] < left


def test_long_sealed_name_centred_over_the_date_when_it_fits(pdfs):
    (signature,), date, _ = _signature_block(pdfs["long-sealed"], [LONG_NAME])
    assert signature.right <= 184 + 0.1
    assert abs(signature.centre - date.centre) <= 1.0, (
        f"{signature.centre - date.centre:+.1f} mm off the date"
    )


def test_unsealed_signature_one_blank_line_under_the_text(pdfs):
    """§7.3.5.2: 在正文下空一行; joint issuers stacked with no line between them."""
    for name, names in (("unsealed", JOINT[:1]), ("joint-unsealed", JOINT)):
        signatures, date, text = _signature_block(pdfs[name], names)
        assert [s.text for s in signatures] == names
        gap = signatures[0].baseline - text.baseline
        assert abs(gap - 2 * LINE) <= 1.0, f"{name}: signature {gap / LINE:.2f} lines under the text"
        for upper, lower in itertools.pairwise([*signatures, date]):
            assert abs(lower.baseline - upper.baseline - LINE) <= 1.0, f"{name}: {lower.text}"


def test_sealed_signature_two_blank_lines_under_the_text(pdfs):
    for name, names in (("long-sealed", [LONG_NAME]), ("joint-sealed", JOINT)):
        signatures, _, text = _signature_block(pdfs[name], names)
        gap = signatures[0].baseline - text.baseline
        assert abs(gap - 3 * LINE) <= 1.0, f"{name}: signature {gap / LINE:.2f} lines under the text"


# --- titles -----------------------------------------------------------------------------------


def _title(page: Page) -> list[str]:
    """The 2号 lines of the first page's title."""
    return [line.text for line in page.lines if abs(line.size - 22) < 0.5 and line.top > 60]


def _breaks(lines: list[str]) -> list[int]:
    return list(itertools.accumulate(len(line) for line in lines))[:-1]


def _word_ends(text: str) -> set[int]:
    return {end for _, _, end in jieba.tokenize(text)}


def test_title_that_fits_but_for_the_space_round_digits_breaks_between_words(pdfs):
    """The fit test counts the space LibreOffice adds round digits: a title of 20
    characters with 2024 in it takes two lines, broken between words, not 通｜知."""
    lines = _title(pdfs["digit-title"][0])
    assert "".join(lines) == DIGIT_TITLE
    assert len(lines) == 2, "｜".join(lines)
    assert set(_breaks(lines)) <= _word_ends(DIGIT_TITLE), "｜".join(lines)
    assert min(map(len, lines)) >= 0.6 * max(map(len, lines)), "｜".join(lines)


def test_a_written_title_line_longer_than_a_line_breaks_between_words(pdfs):
    """A `|` title keeps its author's breaks; a line of it too long for the type area
    breaks again between words (not 关｜于 where the renderer runs out of room)."""
    lines = _title(pdfs["written-title"][0])
    whole = WRITTEN_TITLE.replace("\n", "")
    assert "".join(lines) == whole
    written = WRITTEN_TITLE.index("\n")
    assert written in _breaks(lines), "｜".join(lines)
    assert set(_breaks(lines)) <= _word_ends(whole) | {written}, "｜".join(lines)
    assert all(len(line) <= 20 for line in lines), "｜".join(lines)


# --- the attachment note (附件说明, §7.3.4) ---------------------------------------------------


def test_a_wrapped_attachment_name_continues_under_its_first_character(pdfs):
    """附件名称较长需回行时，应当与上一行附件名称的首字对齐: under the name's first
    character, not at the margin (the first item) nor under its number."""
    measured = 0
    for name, names in (("attachments", LONG_NAMES), ("attachment", LONG_NAMES[:1])):
        lines = _text_lines(pdfs[name])
        start = next(i for i, line in enumerate(lines) if line.text.startswith("附件："))
        for number, title in enumerate(names, 1):
            first = next(
                line
                for line in lines[start:]
                if title[:6] in line.text and line.text[:1] in ("附", str(number))
            )
            after = lines[lines.index(first) + 1]
            assert after.text and title.endswith(after.text), f"{name}: {first.text}｜{after.text}"
            name_left = first.span(title[:2])[0]
            assert abs(after.left - name_left) <= 0.5, (
                f"{name} item {number}: {after.left - name_left:+.1f} mm"
            )
            measured += 1
        # the first on the body's indent, the next under the first's number
        first_item = lines[start]
        assert abs(first_item.left - (28 + 2 * CHAR)) <= 0.5, f"{first_item.left:.1f}"
        if len(names) > 1:
            second = next(line for line in lines[start:] if line.text.startswith("2."))
            assert abs(second.left - first_item.span("1.")[0]) <= 0.5, (
                f"{second.left - first_item.span('1.')[0]:+.1f}"
            )
    assert measured == 3


# --- 公开方式 above the 版记 ----------------------------------------------------------------


def test_publicity_sits_on_the_imprint_page_right_above_the_first_rule(pdfs):
    """公开方式：主动公开 is printed as government notices print it: on the 版记's page,
    right above its first rule (0.35 mm), with the CC and imprint lines below that rule."""
    page = pdfs["publicity"][-1]
    publicity, cc = page.find("公开方式：主动公开"), page.find("抄送：")
    rules = [rule for rule in page.rules if rule.y > publicity.top - LINE]
    assert rules, "no rule under 公开方式"
    first = min(rules, key=lambda rule: rule.y)
    assert publicity.bottom <= first.y <= cc.top, (publicity.bottom, first.y, cc.top)
    assert first.y - publicity.bottom < LINE, (
        f"{first.y - publicity.bottom:.1f} mm between 公开方式 and the rule"
    )
    assert abs(first.width - 0.35) <= 0.05 and first.left <= LEFT + 0.5 and first.right >= RIGHT - 0.5
    assert not [rule for rule in page.rules if publicity.top - LINE < rule.y < publicity.top], (
        "a rule above it"
    )
