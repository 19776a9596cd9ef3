"""The blocks reader (generator/docx/reading): what Word shows, in order, from hand-written WordprocessingML."""

from __future__ import annotations

import io
import zipfile

import pytest

from generator.docx.reading.blocks import Break, DocxReadError, Paragraph, Table, read_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES = f"""<w:styles xmlns:w="{W}">
<w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="32"/></w:rPr></w:rPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="T"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>
<w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:sz w:val="44"/></w:rPr></w:style>
</w:styles>"""


def docx(body: str, custom: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(
            "word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
        )
        package.writestr("word/styles.xml", STYLES)
        if custom:
            package.writestr("docProps/custom.xml", custom)
    return out.getvalue()


def p(inner: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr>{inner}</w:p>"


def r(text: str, rpr: str = "") -> str:
    return f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_tracked_changes_are_read_as_accepted():
    body = p(
        r("工会")
        + f"<w:ins>{r('新增')}</w:ins>"
        + "<w:del><w:r><w:delText>删去</w:delText></w:r></w:del>"
        + "<w:moveFrom><w:r><w:t>移走</w:t></w:r></w:moveFrom>"
        + f"<w:moveTo>{r('移来')}</w:moveTo>"
    )
    assert [b.text for b in read_docx(docx(body)).blocks] == ["工会新增移来"]


def test_a_deleted_paragraph_mark_joins_the_paragraph_to_the_next():
    body = p(r("前半"), "<w:rPr><w:del/></w:rPr>") + p(r("后半")) + p(r("另段"))
    assert [b.text for b in read_docx(docx(body)).blocks] == ["前半后半", "另段"]


def test_breaks_tabs_joiners_fields_and_content_controls():
    body = (
        p(r("2024年4\u2060月18日") + "<w:r><w:br/><w:t>下一行</w:t><w:tab/><w:t>x</w:t></w:r>")
        + p(
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            + r("7")
            + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        )
        + f"<w:sdt><w:sdtContent>{p(r('控件内'))}</w:sdtContent></w:sdt>"
        + p(r("甲") + '<w:r><w:br w:type="page"/></w:r>')
        + p(r("乙"), '<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/></w:sectPr>')
        + p('<w:r><w:br w:type="page"/></w:r>' + r("丙"))
    )
    blocks = read_docx(docx(body)).blocks
    assert [b.text if isinstance(b, Paragraph) else b.kind for b in blocks] == [
        "2024年4月18日\n下一行\tx",
        "7",
        "控件内",
        "甲",
        "page",
        "乙",
        "section",
        "丙",
    ]
    assert blocks[6].landscape and blocks[7].page_break_before and not blocks[5].page_break_before


def test_style_name_alignment_indent_and_run_format_follow_the_style_chain():
    body = p(r("标题"), '<w:pStyle w:val="T"/>') + p(
        r("正文") + r("粗", "<w:b/>"), '<w:ind w:firstLine="640"/>'
    )
    title, text = read_docx(docx(body)).blocks
    assert (title.style, title.alignment, title.bold, title.size) == ("Title", "center", True, 22)
    assert (text.style, text.alignment, text.first_line, text.bold, text.size) == (
        "Normal",
        None,
        640,
        False,
        16,
    )
    assert [run.bold for run in text.runs] == [False, True]


def test_tables_keep_merges_header_rows_and_drop_deleted_rows():
    cell = "<w:tc><w:tcPr>{}</w:tcPr>{}</w:tc>"
    span, restart = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>'
    body = (
        "<w:tbl><w:tblGrid><w:gridCol w:w='100'/><w:gridCol w:w='200'/></w:tblGrid>"
        f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{cell.format(span, p(r('表头')))}</w:tr>"
        f"<w:tr>{cell.format(restart, p(r('甲')))}{cell.format('', p(r('1')))}</w:tr>"
        f"<w:tr>{cell.format('<w:vMerge/>', p(''))}{cell.format('', p(r('2')) + p(r('3')))}</w:tr>"
        f"<w:tr><w:trPr><w:del/></w:trPr>{cell.format('', p(r('删')))}</w:tr>"
        "</w:tbl>"
    )
    (table,) = read_docx(docx(body)).blocks
    assert isinstance(table, Table) and table.columns == [100, 200]
    assert [[(c.text, c.span, c.vmerge) for c in row.cells] for row in table.rows] == [
        [("表头", 2, None)],
        [("甲", 1, "restart"), ("1", 1, None)],
        [("", 1, "continue"), ("2\n3", 1, None)],
    ]
    assert [row.header for row in table.rows] == [True, False, False]


def test_custom_properties_are_read():
    custom = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="circulars.id">'
        "<vt:lpwstr>x-2024-1</vt:lpwstr></property></Properties>"
    )
    assert read_docx(docx(p(r("a")), custom)).custom == {"circulars.id": "x-2024-1"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, "old Word"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"", "empty"),
        (b"PK\x03\x04broken zip", "damaged"),
        (docx(p(r("a")))[:-30], "damaged"),
    ],
)
def test_what_is_not_a_docx_is_refused_with_a_reason(raw, says):
    with pytest.raises(DocxReadError, match=says):
        read_docx(raw)


def test_a_zip_without_a_document_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("hello.txt", "hi")
    with pytest.raises(DocxReadError, match="not a Word document"):
        read_docx(out.getvalue())


def test_breaks_are_blocks():
    blocks = read_docx(docx(p(r("x") + '<w:r><w:br w:type="page"/></w:r>'))).blocks
    assert isinstance(blocks[1], Break)
