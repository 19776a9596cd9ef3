"""The DOCX writer: a circular's rendered Markdown into a Word document.

The Markdown becomes HTML as Python-Markdown with the site's extensions makes
it (template_markdown.py reads what the templates write in one pass), then a
body of styled paragraphs and tables (body.py), adjusted by the layout's rules
(gbt9704_rules.py). Styles, page setup and footers come from the
layout's reference document (reference.py); only the body, its hyperlinks and
the document properties are written per circular.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html

from ..render.renderer import Rendered
from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.registry import Registry
from . import gbt9704_rules, template_markdown
from .body import Body, xml_text
from .custom_properties import custom_properties
from .package import write_parts
from .reference import (
    CORE,
    CUSTOM,
    DOCUMENT,
    DOCUMENT_RELS,
    HYPERLINK,
    PACKAGE_RELS,
    ReferenceDocument,
    reference_for,
)

if TYPE_CHECKING:
    import markdown

MARKDOWN_EXTENSIONS = ["attr_list", "tables", "md_in_html"]


def markdown_to_html(text: str) -> str:
    """The HTML of a rendered circular: in one pass for the Markdown the templates
    write (template_markdown.py), by Python-Markdown for anything else."""
    quick = template_markdown.to_html(text)
    return quick if quick is not None else python_markdown_html(text)


def python_markdown_html(text: str) -> str:
    converter = _markdown()
    converter.reset()
    return converter.convert(text)


# Inline syntax a Word document has no use for (images, reference links, code
# spans, autolinks) and that templates and escaped text never produce: dropping
# these patterns more than halves the time Python-Markdown spends on inline
# text, the largest part of writing a document. What is left: escapes, links,
# raw inline HTML (<span>, <br>), entities, bold and italic, line breaks.
_UNUSED_INLINE = (
    "backtick",
    "reference",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
)


@functools.cache
def _markdown() -> markdown.Markdown:
    import markdown  # only for what the one pass hands back: 12 ms of start-up otherwise

    converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS)
    for name in _UNUSED_INLINE:
        converter.inlinePatterns.deregister(name)
    converter.treeprocessors.deregister("prettify")  # whitespace only
    return converter


@functools.cache
def _html_parser() -> lxml_html.HTMLParser:
    """libxml2 silently drops a text node over 10 MB unless told to take huge
    trees: a long paragraph would vanish from the document without a word."""
    return lxml_html.HTMLParser(huge_tree=True)


@dataclass
class WrittenDocx:
    data: bytes
    missing_styles: set[str]


class DocxWriter:
    """Writes circulars as .docx; one per process, reused for every document."""

    def __init__(self, project_root: Path, registry: Registry):
        self.project_root = project_root
        self.registry = registry
        self.references: dict[str, ReferenceDocument] = {}

    def write(self, rendered: Rendered) -> WrittenDocx:
        parts, missing_styles = self.parts(rendered)
        return WrittenDocx(write_parts(parts), missing_styles)

    def parts(self, rendered: Rendered, identifier: str | None = None) -> tuple[dict, set[str]]:
        """The package's parts before zipping (distribution patches a few per copy),
        and the styles the document asked for that the reference lacks."""
        reference = self.references.get(rendered.layout)
        if reference is None:
            reference = self.references[rendered.layout] = reference_for(self.project_root, rendered.layout)
        body = Body(reference)
        html = markdown_to_html(rendered.markdown)
        for element in lxml_html.fragments_fromstring(html, parser=_html_parser()) if html.strip() else []:
            if isinstance(element, str):
                continue
            body.block(element)
        if reference.layout == "gbt9704":
            gbt9704_rules.apply(body)
        parts = dict(reference.entries)
        parts[DOCUMENT] = (
            reference.document_head + body.xml() + (body.tail or reference.document_tail)
        ).encode("utf-8")
        if body.links:
            parts[DOCUMENT_RELS] = _with_links(reference.parts[DOCUMENT_RELS], body.links)
        parts[CORE] = core_properties(rendered.circular, self.registry, identifier)
        parts[CUSTOM] = custom_properties(rendered.circular)
        return parts, body.missing_styles


def _with_links(rels: bytes, links: list[str]) -> bytes:
    root = etree.fromstring(rels)
    for number, href in enumerate(links, 1):
        rel = etree.SubElement(root, f"{{{PACKAGE_RELS}}}Relationship")
        rel.set("Id", f"rIdLink{number}")
        rel.set("Type", HYPERLINK)
        rel.set("Target", href)
        rel.set("TargetMode", "External")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def core_properties(circular: Circular, registry: Registry, identifier: str | None = None) -> bytes:
    """Title, subject, author, keywords, created = date of issue, language; the
    identifier of a distributed copy (which `circulars verify` reads back)."""
    lang = circular.language
    issuers = "; ".join(registry.name(org, lang) for org in circular.issuer if org in registry.organizations)
    number = document_number(circular, registry)
    when = f"{circular.date.isoformat()}T00:00:00Z"
    values = {
        "dc:title": to_plain(circular.title),
        "dc:subject": number or circular.kind,
        "dc:creator": issuers,
        "cp:keywords": "; ".join(to_plain(tag) for tag in circular.tags),
        "dc:description": circular.id,
        "cp:lastModifiedBy": "Circulars",
        "cp:revision": "1",
        "cp:category": circular.kind,
        "dc:language": "zh-CN" if lang == "zh" else "en-GB",
    }
    if identifier:
        values["dc:identifier"] = identifier
    fields = "".join(f"<{tag}>{xml_text(value)}</{tag}>" for tag, value in values.items())
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{fields}"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()
