"""The two Word layouts as data: page setup and one style per Markdown class.

`gbt9704` follows GB/T 9704-2012 (see shared/GBT9704.md for each figure);
`international` is a plain A4 letter layout. `reference_docs.py` writes these
into templates/<layout>.docx; from then on the reference document, restyled in
Word if the secretariat likes, is what the DOCX writer uses. Units are twips
(1/20 pt) for lengths and points for font sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

# GB/T 9704 fonts by their standard names; Linux renders free substitutes.
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
SERIF = "Times New Roman"
SERIF_CJK = "SimSun"

LINE = 579  # GB/T 9704 line pitch: 22 lines in the 225 mm text area
CHAR = 320  # one 16 pt character
# 28 characters in the 156 mm (8845 twip, 442.25 pt) line: 16 pt characters set 0.25 pt
# closer (w:spacing -5 twips) take 441 pt, so 28 fit and a 29th does not. (A
# linesAndChars grid says the same to Word, but LibreOffice lays it out as a square
# grid of 15 characters a line.)
TRACKING = -5


@dataclass(frozen=True)
class Border:
    side: str  # top, bottom
    size: int  # eighths of a point
    color: str = "000000"
    space: int = 0  # points between text and border
    style: str = "single"  # w:val: single, or thickThinSmallGap for the letter form's double rule


@dataclass(frozen=True)
class Style:
    name: str
    kind: str = "paragraph"  # paragraph, character or table
    based_on: str | None = "Normal"
    next: str | None = None
    font: str | None = None
    east_asian_font: str | None = None
    size: float | None = None
    bold: bool | None = None
    italic: bool | None = None
    color: str | None = None
    tracking: int | None = None  # twips added between characters (w:spacing in run properties)
    align: str | None = None  # left, center, right, both
    first_line: int | None = None
    left: int | None = None
    right: int | None = None
    hanging: int | None = None
    before: int | None = None
    after: int | None = None
    line: int | None = None
    line_rule: str | None = None  # exact or auto
    keep_next: bool = False
    page_break_before: bool = False
    borders: tuple[Border, ...] = ()
    right_tab: bool = False  # a right-aligned tab stop at the right indent
    snap_to_grid: bool | None = None  # False: the line keeps its own height, off the page grid
    # False: no extra space between Chinese and Latin letters or digits (w:autoSpaceDE/DN)
    east_asian_spacing: bool | None = None
    hanging_punctuation: bool | None = None  # w:overflowPunct: punctuation may pass the margin
    sample: str = ""  # shown in the reference document so it can be restyled


@dataclass(frozen=True)
class Page:
    width: int = 11906  # A4
    height: int = 16838
    top: int = 1440
    bottom: int = 1440
    left: int = 1440
    right: int = 1440
    header: int = 851
    footer: int = 992
    line_pitch: int | None = None  # a docGrid of type "lines"
    # The document's last section (the 版记's, in GB/T 9704) starts on an even page
    # and has no page number; the writer closes the section before it with the
    # same page setup, page numbers included.
    closing_section: bool = False

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right


@dataclass(frozen=True)
class Layout:
    name: str
    language: str
    page: Page
    styles: tuple[Style, ...]
    page_numbers: str  # "gbt9704": — N — odd right / even left; "page-of": Page N of M
    description: str = ""


def _gbt_styles() -> tuple[Style, ...]:
    body = {"font": FANGSONG, "size": 16}
    flush = {"first_line": 0, "left": 0}
    return (
        Style(
            "Normal",
            based_on=None,
            **body,
            align="both",
            first_line=2 * CHAR,
            before=0,
            after=0,
            line=LINE,
            line_rule="exact",
            east_asian_spacing=False,
            hanging_punctuation=True,  # see reference_docs: LibreOffice reads it inverted
            tracking=TRACKING,
            sample="正文：3号仿宋，首行缩进2字，每行28字，每页22行。",
        ),
        Style("Copy Number", **flush, align="left", sample="000001"),
        Style("Addressee", size=14, **flush, align="left", sample="发：××××工会"),
        Style("Classification", font=HEITI, **flush, align="left", sample="机密★1年"),
        Style("Urgency", font=HEITI, **flush, align="left", sample="特急"),
        Style(
            "Organ Mark",
            font=XIAOBIAOSONG,
            size=42,
            color="FF0000",
            **flush,
            align="center",
            # its top 35 mm below the top of the text area: the space before, less
            # what the line puts above the characters (measured: test_gbt9704_pdf)
            before=1984 - 304,
            line_rule="auto",
            line=240,
            snap_to_grid=False,
            sample="××××总工会文件",
        ),
        Style("Doc Number", **flush, align="center", before=2 * LINE, sample="××工发〔2024〕12号"),
        Style(
            "Doc Number Upward",
            based_on="Doc Number",
            align="left",
            left=CHAR,
            right=CHAR,
            right_tab=True,
            sample="××工发〔2024〕12号\t签发人：×××",
        ),
        # the letter form (信函格式, §10.1): the mark 30 mm from the page top (the text area
        # starts 37 mm down), a red double rule under it, thick above thin, the number
        # at the right margin under the rule. gbt9704_rules puts the mark and the rule in
        # place and adds a second double rule, thin above thick, at the foot of the page.
        Style(
            "Organ Mark Letter",
            based_on="Organ Mark",
            before=0,
            sample="××××总工会",
        ),
        Style(
            "Double Rule",
            **flush,
            size=2,
            line=136,
            line_rule="exact",
            snap_to_grid=False,
            borders=(Border("bottom", 18, "FF0000", style="thickThinSmallGap"),),
        ),
        Style("Doc Number Letter", **flush, align="right", sample="××函〔2024〕1号"),
        Style(
            "Red Rule",
            **flush,
            size=2,
            line=136,  # the rule 4 mm below the foot of the document number (measured: test_gbt9704_pdf)
            line_rule="exact",
            snap_to_grid=False,  # on the grid the paragraph would take a whole line
            borders=(Border("bottom", 12, "FF0000"),),
        ),
        Style(
            "Title",
            font=XIAOBIAOSONG,
            size=22,
            **flush,
            align="center",
            before=2 * LINE,
            after=LINE,
            line=LINE,  # title lines one 28.95 pt line apart, not two grid lines
            line_rule="exact",
            snap_to_grid=False,
            next="Recipients",
            sample="关于××××××的通知",
        ),
        Style("Recipients", **flush, align="both", sample="各市（州）总工会，省直各产业工会："),
        Style("Salutation", **flush, sample="各位同事："),
        Style("Heading 1", font=HEITI, keep_next=True, sample="一、一级标题（黑体）"),
        Style("Heading 2", font=KAITI, keep_next=True, sample="（一）二级标题（楷体）"),
        Style("Heading 3", font=FANGSONG, keep_next=True, sample="1.三级标题（仿宋）"),
        Style("Heading 4", font=FANGSONG, keep_next=True, sample="（1）四级标题（仿宋）"),
        # a chapter of rules (办法, 细则): 第一章　总则, centred
        Style("Chapter", font=HEITI, **flush, align="center", keep_next=True, sample="第一章　总则"),
        Style("Point", sample="一是要点。正文……"),
        Style("Requirement Meta", font=KAITI, sample="（责任单位：×××；完成时限：2024年9月30日）"),
        Style("Group Name", font=HEITI, sample="领导小组名称"),
        Style("Group Line", left=2 * CHAR, first_line=0, hanging=0, sample="组　长：×××"),
        Style("Phase", sample="动员部署阶段（2024年4月1日至4月30日）。"),
        Style("Contact", sample="联系人：×××，电话：×××。"),
        # the end of the body keeps with the signature: never a signature alone on a page
        Style("Closing", keep_next=True, sample="特此通知。"),
        Style("Complimentary Close", keep_next=True, sample="此致"),
        Style("Reporting Duty", sample="请于5月10日17:00前将报名表报送至××。"),
        Style("Attachment Note", before=LINE, left=0, keep_next=True, sample="附件：1.××××"),
        Style("Attachment Note Continued", first_line=0, left=5 * CHAR, keep_next=True, sample="2.××××"),
        Style(
            "Signature",
            **flush,
            align="right",
            right=2 * CHAR,
            before=LINE,  # §7.3.5.2: one blank line under the text
            keep_next=True,
            sample="××××总工会",
        ),
        # §7.3.5.1, §7.3.5.3: room for the seal, two blank lines under the text
        Style("Signature Sealed", based_on="Signature", before=2 * LINE, sample="××××总工会"),
        Style("Signature Person", based_on="Signature", before=2 * LINE, sample="职务　　×××"),
        Style("Date", **flush, align="right", right=2 * CHAR, sample="2024年4月18日"),
        Style("Date Sealed", based_on="Date", right=4 * CHAR, sample="2024年4月18日"),
        Style("Notes", sample="（此件公开发布）"),
        # 公开方式, one line above the 版记 (or below the date, when there is no 版记)
        Style("Publicity", before=LINE, sample="公开方式：主动公开"),
        Style("Attachment Label", font=HEITI, **flush, align="left", page_break_before=True, sample="附件1"),
        Style(
            "Attachment Title",
            font=XIAOBIAOSONG,
            size=22,
            **flush,
            align="center",
            before=LINE,
            after=LINE,
            sample="附件标题",
        ),
        Style("Attachment File", sample="附件文件：××××.csv"),
        # a document the notice issues (印发) starts on a new page, its title set as a title
        Style(
            "Document Title",
            font=XIAOBIAOSONG,
            size=22,
            **flush,
            align="center",
            after=LINE,
            page_break_before=True,
            sample="××××实施方案",
        ),
        Style("Document Signature", **flush, align="right", right=2 * CHAR, sample="××××总工会"),
        Style("Table Caption", font=HEITI, **flush, align="center", keep_next=True, sample="表1　××××"),
        # 小四 仿宋 at an exact 15 pt line, off the body's grid: on it every line of a
        # cell would take a whole 28.9 pt body line
        Style(
            "Table Text",
            size=12,
            **flush,
            align="center",
            line=300,
            line_rule="exact",
            snap_to_grid=False,
            sample="表格文字",
        ),
        Style("Table Heading", based_on="Table Text", font=HEITI, sample="表头"),
        # the closing block (版记): the writer puts these in a table anchored to the
        # bottom of the last page, whose borders draw the rules across the text width
        # one 14 pt character (280) in from each side; wrapped CC lines align after 抄送：
        Style("CC", size=14, left=4 * 280, right=280, hanging=3 * 280, sample="抄送：中华全国总工会。"),
        Style(
            "Imprint",
            size=14,
            first_line=0,
            left=280,
            right=280,
            right_tab=True,
            sample="××××总工会办公室\t2024年4月18日印发",
        ),
        Style("Byline", font=KAITI, **flush, align="center", sample="作者　单位　日期"),
        Style("Source", font=KAITI, sample="来源：××××"),
        Style(
            "Letterhead",
            font=XIAOBIAOSONG,
            size=22,
            color="FF0000",
            **flush,
            align="center",
            sample="××××总工会",
        ),
        Style("Letterhead Details", size=12, **flush, align="center", sample="地址 · 电话 · 邮箱"),
        Style(
            "Letterhead Rule",
            **flush,
            size=2,
            line=120,
            line_rule="exact",
            borders=(Border("bottom", 12, "FF0000"),),
        ),
        Style("Reference", **flush, right_tab=True, sample="文号：××〔2024〕1号\t2024年4月18日"),
        Style("Marks", font=HEITI, **flush, sample="机密 · 特急"),
        Style("Signature Name", **flush, align="right", right=2 * CHAR, before=2 * LINE, sample="×××"),
        Style("Signature Title", **flush, align="right", right=2 * CHAR, sample="职务"),
        Style("Footer", font=SONGTI, size=14, **flush, line=240, line_rule="auto"),
        Style("Signer Name", kind="character", based_on=None, font=KAITI),
        # a run-in heading (1.有序扩大来源。现阶段……) in its level's face; an article's number in bold
        Style("Run In 1", kind="character", based_on=None, font=HEITI),
        Style("Run In 2", kind="character", based_on=None, font=KAITI),
        Style("Run In 3", kind="character", based_on=None, font=FANGSONG),
        Style("Run In 4", kind="character", based_on=None, font=FANGSONG),
        Style("Article Number", kind="character", based_on=None, bold=True),
        Style("Hyperlink", kind="character", based_on=None, color="0000FF"),
    )


def _international_styles() -> tuple[Style, ...]:
    flush = {"first_line": 0}
    return (
        Style(
            "Normal",
            based_on=None,
            font=SERIF,
            east_asian_font=SERIF_CJK,
            size=11,
            align="left",
            first_line=0,
            before=0,
            after=120,
            line=276,
            line_rule="auto",
            sample="Body text: 11 pt serif, 6 pt after each paragraph.",
        ),
        Style("Letterhead", size=18, bold=True, color="1F3864", after=0, sample="Issuing Organization"),
        Style("Letterhead Details", size=9, color="595959", after=0, sample="Address · Telephone · Email"),
        Style(
            "Letterhead Rule",
            size=2,
            after=240,
            line=120,
            line_rule="exact",
            borders=(Border("bottom", 12, "1F3864"),),
        ),
        Style("Copy Number", size=9, bold=True, align="right", after=0, sample="Copy No. 000001"),
        Style("Addressee", size=9, align="right", sample="For: the receiving union"),
        Style("Marks", bold=True, color="C00000", sample="Confidential · Urgent"),
        Style("Reference", right_tab=True, after=240, sample="Ref. Issuer [2024] No. 12\t18 April 2024"),
        Style("Reference Extra", after=0, sample="Our Ref: AB/1/2"),
        Style("Recipients", after=240, sample="To: all municipal federations"),
        Style("Salutation", after=240, sample="Dear Colleagues,"),
        # the title repeated as the subject line after the salutation (`header_order`)
        Style("Subject", bold=True, after=240, sample="Subject of the letter"),
        Style("Title", size=15, bold=True, before=120, after=240, next="Normal", sample="Notice on …"),
        Style(
            "Heading 1",
            size=12,
            bold=True,
            before=240,
            after=120,
            keep_next=True,
            sample="1. First-level heading",
        ),
        Style(
            "Heading 2",
            size=11,
            bold=True,
            italic=True,
            before=180,
            after=60,
            keep_next=True,
            sample="1.1 Second level",
        ),
        Style(
            "Heading 3",
            size=11,
            italic=True,
            before=120,
            after=60,
            keep_next=True,
            sample="1.1.1 Third level",
        ),
        Style("Heading 4", size=11, keep_next=True, sample="1.1.1.1 Fourth level"),
        Style(
            "Chapter",
            size=12,
            bold=True,
            align="center",
            before=240,
            after=120,
            keep_next=True,
            sample="Chapter 1 General provisions",
        ),
        Style("Point", sample="First, the key phrase. The text of the point."),
        Style(
            "Requirement Meta",
            size=10,
            italic=True,
            color="404040",
            left=360,
            sample="(Responsible: …; deadline: …)",
        ),
        Style("Group Name", bold=True, sample="Name of the leading group"),
        Style("Group Line", left=360, sample="Leader: …"),
        Style("Phase", sample="Phase (1 April 2024 to 30 April 2024)."),
        # the closing block goes to a new page with the last lines of the text, never alone
        Style("Contact", keep_next=True, sample="Contact: …"),
        Style("Closing", keep_next=True, sample="Closing formula."),
        Style("Complimentary Close", before=240, keep_next=True, sample="Yours sincerely,"),
        Style("Reporting Duty", sample="Please send the form to … by 17:00 on 10 May 2024."),
        Style("Attachment Note", before=240, keep_next=True, sample="Attachments: 1. …"),
        Style("Attachment Note Continued", left=1300, keep_next=True, sample="2. …"),
        Style("Signature", before=360, keep_next=True, sample="Issuing Organization"),
        # a signature line under a complimentary close leaves room to sign; the lines after it follow
        Style("Signature After Close", based_on="Signature", before=720, sample="Name of the signatory"),
        Style("Signature Sealed", based_on="Signature", sample="Issuing Organization"),
        Style("Date", sample="18 April 2024"),
        Style("Date Sealed", based_on="Date", sample="18 April 2024"),
        Style(
            "Signature Name", bold=True, before=720, after=0, keep_next=True, sample="Name of the signatory"
        ),
        Style("Signature Title", sample="Title, Issuing Organization"),
        Style("Notes", size=10, italic=True, sample="(Notes)"),
        Style("Publicity", size=10, before=240, sample="Publication: …"),
        Style("Attachment Label", bold=True, page_break_before=True, sample="Attachment 1"),
        Style("Attachment Title", size=13, bold=True, after=240, sample="Title of the attachment"),
        Style("Attachment File", sample="Enclosed file: …"),
        Style("Document Title", size=15, bold=True, after=240, page_break_before=True, sample="Plan for …"),
        Style("Document Signature", align="right", sample="Issuing Organization"),
        Style("Table Caption", bold=True, before=120, after=60, keep_next=True, sample="Table 1. …"),
        Style("Table Text", size=10, after=0, line=240, sample="Table text"),
        Style("Table Heading", based_on="Table Text", bold=True, sample="Table heading"),
        Style("CC", size=10, before=240, sample="cc: …"),
        Style("Imprint", size=10, right_tab=True, sample="Printed by …\t18 April 2024"),
        Style("Byline", italic=True, color="404040", after=240, sample="Author · Organization · Date"),
        Style("Source", size=10, italic=True, before=240, sample="Source: …"),
        Style(
            "Organ Mark", size=18, bold=True, color="1F3864", align="center", sample="Issuing Organization"
        ),
        Style("Doc Number", align="center", sample="Issuer [2024] No. 12"),
        Style("Doc Number Upward", based_on="Doc Number", right_tab=True, sample="Issuer [2024] No. 12"),
        Style("Red Rule", size=2, line=120, line_rule="exact", borders=(Border("bottom", 12, "C00000"),)),
        Style("Classification", bold=True, sample="Confidential"),
        Style("Urgency", bold=True, sample="Urgent"),
        Style("Footer", size=9, align="center", after=0, **flush),
        Style("Signer Name", kind="character", based_on=None, italic=True),
        # a run-in heading in its level's face (Heading 1 to 4, at the text's size)
        Style("Run In 1", kind="character", based_on=None, bold=True),
        Style("Run In 2", kind="character", based_on=None, bold=True, italic=True),
        Style("Run In 3", kind="character", based_on=None, italic=True),
        Style("Run In 4", kind="character", based_on=None),
        Style("Article Number", kind="character", based_on=None, bold=True),
        Style("Hyperlink", kind="character", based_on=None, color="0563C1"),
    )


GBT9704 = Layout(
    name="gbt9704",
    language="zh-CN",
    page=Page(
        top=2098,
        bottom=1984,
        left=1587,
        right=1474,
        header=851,
        footer=1428,  # the dashes of "— 1 —" 7 mm below the type area (measured)
        line_pitch=LINE,
        closing_section=True,
    ),
    styles=_gbt_styles(),
    page_numbers="gbt9704",
    description="GB/T 9704-2012 layout of official documents",
)

INTERNATIONAL = Layout(
    name="international",
    language="en-GB",
    page=Page(top=1417, bottom=1417, left=1417, right=1417, header=709, footer=709),
    styles=_international_styles(),
    page_numbers="page-of",
    description="International A4 letter layout",
)

LAYOUTS = {layout.name: layout for layout in (GBT9704, INTERNATIONAL)}
