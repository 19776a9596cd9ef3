"""The 版记 page of the numbered copies, settled as `circulars build` settles it.

Where a circular's text ends on an even page, the build lays its document out
with LibreOffice and moves the 版记 to the foot of that page, or leaves the blank
page and unnumbers the 版记 page (docx/closing_page). A copy is the same document
but for its copy number and addressee, which sit on lines of their own on the
first page and do not move the text's pages; so the copy template is settled
once, by laying out one copy (the recipient with the longest name, the one most
likely to need a second line), and every copy is stamped from the settled
template. The edition stays the digest of the unsettled template: it names what
was distributed, whether or not LibreOffice laid it out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..docx.closing_page import (
    ON_TEXT_PAGE,
    UNNUMBERED,
    has_closing_section,
    on_text_page,
    to_pdf_settled,
    unnumbered,
)
from ..docx.package import read_parts
from ..docx.reference import DOCUMENT
from .copies import CopyMaker

_SETTLED = {ON_TEXT_PAGE: on_text_page, UNNUMBERED: unnumbered}


def settled_maker(
    maker: CopyMaker, sample: tuple[int, str, str], project_root: Path
) -> tuple[CopyMaker, str | None]:
    """The copy template with its 版记 page settled, and how (ON_TEXT_PAGE, UNNUMBERED,
    or None: nothing to settle). `sample` is the copy laid out: (copy number,
    recipient id, recipient name). PreviewError when LibreOffice fails."""
    template = maker.template()
    if not has_closing_section(template):
        return maker, None
    with tempfile.TemporaryDirectory(prefix="circulars-copy-closing-") as scratch:
        docx = Path(scratch) / "copy.docx"
        docx.write_bytes(maker.make(*sample))
        how = to_pdf_settled([docx], Path(scratch) / "pdf", project_root)[1].get(docx)
    if how is None:  # the text ends on an odd page: the 版记 page follows, numbered
        return maker, None
    return maker.with_document(read_parts(_SETTLED[how](template))[DOCUMENT]), how
