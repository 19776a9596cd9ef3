"""Reading a PDF back with PyMuPDF: characters on their baselines, rules, ink, in millimetres."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf

MM = 25.4 / 72  # millimetres in a point
BOTTOM = 262.0  # the foot of the GB/T 9704 type area: page numbers are below it


@dataclass
class Line:
    """Characters on one baseline, left to right; all lengths in mm."""

    chars: list[tuple[str, float, float]]  # character, left, right
    top: float
    bottom: float
    baseline: float
    size: float  # points
    color: int
    font: str

    @property
    def text(self) -> str:
        return "".join(c for c, _, _ in self.chars)

    @property
    def left(self) -> float:
        return self.chars[0][1]

    @property
    def right(self) -> float:
        return self.chars[-1][2]

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    def span(self, text: str) -> tuple[float, float]:
        """Left and right of the first occurrence of text in this line."""
        start = self.text.index(text)
        return self.chars[start][1], self.chars[start + len(text) - 1][2]


@dataclass
class Rule:
    left: float
    right: float
    y: float
    width: float  # mm
    color: tuple[float, ...]


@dataclass
class Page:
    number: int
    lines: list[Line]
    rules: list[Rule]
    path: Path

    def ink(self, left: float, top: float, right: float, bottom: float) -> tuple[float, float]:
        """Top and bottom (mm) of what is printed in a box: a glyph's ink, not its em box."""
        with pymupdf.open(self.path) as document:
            clip = pymupdf.Rect(left / MM, top / MM, right / MM, bottom / MM)
            pixmap = document[self.number - 1].get_pixmap(clip=clip, dpi=600, colorspace=pymupdf.csGRAY)
        rows = [
            y
            for y in range(pixmap.height)
            if min(pixmap.samples[y * pixmap.stride : y * pixmap.stride + pixmap.width]) < 128
        ]
        assert rows, "nothing printed there"
        scale = 25.4 / 600
        return top + rows[0] * scale, top + (rows[-1] + 1) * scale

    def red_ink(self, left: float, top: float, right: float, bottom: float) -> tuple[float, float]:
        """Top and bottom (mm) of the red printed in a box (ink() reads grey, where red is light)."""
        with pymupdf.open(self.path) as document:
            clip = pymupdf.Rect(left / MM, top / MM, right / MM, bottom / MM)
            pixmap = document[self.number - 1].get_pixmap(clip=clip, dpi=600)
        samples, stride = pixmap.samples, pixmap.stride
        rows = [
            y
            for y in range(pixmap.height)
            if any(
                samples[y * stride + 3 * x] > 160 and samples[y * stride + 3 * x + 1] < 100
                for x in range(pixmap.width)
            )
        ]
        assert rows, "nothing red printed there"
        scale = 25.4 / 600
        return top + rows[0] * scale, top + (rows[-1] + 1) * scale

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)

    def find(self, text: str) -> Line:
        found = [line for line in self.lines if text in line.text]
        assert found, f"{text!r} not on page {self.number}"
        return found[0]

    def footer(self) -> Line | None:
        """The page number line, below the type area."""
        below = [line for line in self.lines if line.top > BOTTOM]
        return below[0] if below else None


def read_pdf(path: Path) -> list[Page]:
    pages = []
    with pymupdf.open(path) as document:
        for index, page in enumerate(document, 1):
            chars = []
            for block in page.get_text("rawdict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        for c in span["chars"]:
                            if c["c"].strip():
                                chars.append((c, span))
            chars.sort(key=lambda item: (round(item[0]["origin"][1] * 2), item[0]["bbox"][0]))
            lines: list[Line] = []
            for c, span in chars:
                x0, y0, x1, y1 = c["bbox"]
                baseline = c["origin"][1] * MM
                entry = (c["c"], x0 * MM, x1 * MM)
                if lines and abs(lines[-1].baseline - baseline) < 0.5:
                    lines[-1].chars.append(entry)
                    lines[-1].top = min(lines[-1].top, y0 * MM)
                    lines[-1].bottom = max(lines[-1].bottom, y1 * MM)
                else:
                    lines.append(
                        Line([entry], y0 * MM, y1 * MM, baseline, span["size"], span["color"], span["font"])
                    )
            rules = []
            for drawing in page.get_drawings():
                rect = drawing["rect"]
                if rect.height * MM < 1 and rect.width * MM > 20:
                    width = drawing.get("width") or rect.height
                    colour = drawing.get("color") or drawing.get("fill") or (0, 0, 0)
                    rules.append(
                        Rule(rect.x0 * MM, rect.x1 * MM, (rect.y0 + rect.y1) / 2 * MM, width * MM, colour)
                    )
            pages.append(Page(index, lines, rules, path))
    return pages
