"""A table as an HTML block in the rendered Markdown, for the site and Word alike.

Markdown's pipe tables cannot merge cells, and a table's look (spans, widths,
alignment, header rows, row heights, a landscape page) must reach both outputs
from the one rendering. So a table is written as HTML inside the Markdown:
Python-Markdown's md_in_html passes it through, converting each cell's text
(`markdown="span"`) with the same inline rules and escaping as every other text,
the site shows it as it is, and the Word writer reads the same elements
(docx/tables.py). Attribute values are only numbers, lengths that the format's
patterns allow, and fixed class names: nothing typed reaches them.

    <div class="table-block [landscape]" markdown="1">
    caption paragraph {: .table-caption }
    <div class="table-scroll" markdown="1">        a phone scrolls the table, not the page
    <table class="circular-table" markdown="1" data-font-size="12">   its own size in Word, if given
    <colgroup><col style="width: 20%">…</colgroup>
    <thead markdown="1"><tr markdown="1"><th markdown="span" colspan="2">…</th></tr></thead>
    <tbody markdown="1"><tr markdown="1" style="height: 12mm"><td markdown="span">…</td></tr></tbody>
    </table>
    </div>
    </div>
"""

from __future__ import annotations

from ..source.tables import GridCell, Table
from .markup import paragraph_markdown


def table_markdown(table: Table) -> str:
    """The table as a Markdown block (HTML that md_in_html converts)."""
    grid = table.grid
    out = [f'<div class="table-block{" landscape" if grid.landscape else ""}" markdown="1">', ""]
    if grid.caption:
        out += [_lines(grid.caption), "{: .table-caption }", ""]
    out.append('<div class="table-scroll" markdown="1">')
    size = f' data-font-size="{grid.font_size:g}"' if grid.font_size else ""  # points, for Word
    out.append(f'<table class="circular-table" markdown="1"{size}>')
    if any(grid.widths):
        out.append("<colgroup>" + "".join(_col(width) for width in grid.widths) + "</colgroup>")
    header = [row for row in grid.rows if row.header]
    body = [row for row in grid.rows if not row.header]
    for tag, rows in (("thead", header), ("tbody", body)):
        if not rows:
            continue
        out.append(f'<{tag} markdown="1">')
        cell_tag = "th" if tag == "thead" else "td"
        for row in rows:
            height = f' style="height: {row.height}"' if row.height else ""
            cells = "".join(_cell(cell_tag, cell) for cell in row.cells)
            out.append(f'<tr markdown="1"{height}>{cells}</tr>')
        out.append(f"</{tag}>")
    out += ["</table>", "</div>", "", "</div>", ""]
    return "\n".join(out)


def _col(width: str | None) -> str:
    return f'<col style="width: {width}">' if width else "<col>"


def _cell(tag: str, cell: GridCell) -> str:
    attributes = ""
    if cell.colspan > 1:
        attributes += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attributes += f' rowspan="{cell.rowspan}"'
    if cell.align:
        attributes += f' class="align-{cell.align}"'
    return f'<{tag} markdown="span"{attributes}>{_lines(cell.text)}</{tag}>'


def _lines(text: str) -> str:
    """A line break typed in a cell or a caption stays a line break (a form's 男/女,
    two lines of an address, a caption's title and its unit), and the spaces starting
    a line are kept (a 其中： row indented under its total)."""
    return "<br>".join(paragraph_markdown(line.rstrip()) for line in text.split("\n") if line.strip())
