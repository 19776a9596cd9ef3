"""A document's styles as import needs them: names, and properties followed through basedOn.

A paragraph's alignment, indentation or boldness may be set on the paragraph,
on its style, on the style that style is based on, or in the document defaults;
`Styles.paragraph` and `Styles.run` look in that order.
"""

from __future__ import annotations

from lxml import etree

from .package import W

_OFF = ("0", "false", "off", "none")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class Styles:
    def __init__(self, root: etree._Element | None):
        self.elements: dict[str, etree._Element] = {}
        self.names: dict[str, str] = {}
        self.default_paragraph: str | None = None
        self.defaults_ppr = self.defaults_rpr = None
        if root is None:
            return
        for style in root.iter(w("style")):
            style_id = style.get(w("styleId"))
            if not style_id:
                continue
            self.elements[style_id] = style
            name = style.find(w("name"))
            self.names[style_id] = name.get(w("val")) if name is not None else style_id
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true", "on"):
                self.default_paragraph = style_id
        self.defaults_ppr = root.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
        self.defaults_rpr = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")

    def chain(self, style_id: str | None) -> list[etree._Element]:
        """The style and those it is based on, nearest first."""
        found, seen = [], set()
        while style_id and style_id not in seen and style_id in self.elements:
            seen.add(style_id)
            style = self.elements[style_id]
            found.append(style)
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None
        return found

    def paragraph(self, ppr: etree._Element | None, style_id: str | None, tag: str) -> etree._Element | None:
        """The nearest <w:tag> in a paragraph's pPr, its style chain, then the defaults."""
        if ppr is not None and (found := ppr.find(w(tag))) is not None:
            return found
        for style in self.chain(style_id):
            if (found := style.find(f"{w('pPr')}/{w(tag)}")) is not None:
                return found
        return self.defaults_ppr.find(w(tag)) if self.defaults_ppr is not None else None

    def run(
        self, rpr: etree._Element | None, run_style: str | None, paragraph_style: str | None, tag: str
    ) -> etree._Element | None:
        """The nearest <w:tag> in a run's rPr, its character style, its paragraph's style, the defaults."""
        if rpr is not None and (found := rpr.find(w(tag))) is not None:
            return found
        for style in self.chain(run_style) + self.chain(paragraph_style):
            if (found := style.find(f"{w('rPr')}/{w(tag)}")) is not None:
                return found
        return self.defaults_rpr.find(w(tag)) if self.defaults_rpr is not None else None


def is_on(element: etree._Element | None) -> bool:
    """A toggle property (<w:b/>, <w:b w:val="0"/>) as set."""
    return element is not None and (element.get(w("val")) or "1").lower() not in _OFF
