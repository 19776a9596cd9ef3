"""A run of paragraphs and tables as a body in the YAML's terms: text, tables, points, sections.

Headings (一、（一）1.（1）, 1. 1.1, 第一章), run-in headings (1.有序扩大……。现阶段……),
articles (第一条), points (一是……, First, …) and the tables between paragraphs
become the nested `sections`, `points`, `text` and `tables` a person would write,
in an order the templates print back the same: a section's text and tables,
then its points, then its sub-sections, then `text_after`.
"""

from __future__ import annotations

import re

from ...render.numbering import ORDINALS
from . import patterns
from .blocks import Paragraph, Table
from .tables import Captioned, table_fields

OUR_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


class BodyReader:
    """Reads one body; `english` chooses the numbering patterns, `ours` trusts our styles."""

    def __init__(self, english: bool, ours: bool):
        self.english = english
        self.ours = ours

    def read(self, items: list[Paragraph | Table], numbering: str = "headings") -> dict:
        root: dict = {}
        stack: list[tuple[int, dict]] = [(0, root)]
        for item in items:
            if isinstance(item, Captioned):
                _add_table(stack[-1][1], table_fields(item.table, item.caption))
                continue
            if isinstance(item, Table):
                _add_table(stack[-1][1], table_fields(item))
                continue
            kind, level, title, rest = self.classify(item, numbering)
            if kind == "chapter" and numbering != "chapters":
                numbering = root["numbering"] = "chapters"
            if kind in ("heading", "run_in", "chapter", "article"):
                depth = 2 if kind == "article" and numbering == "chapters" else level
                if kind == "article" and numbering == "headings":
                    numbering = root["numbering"] = "articles"
                    depth = 1
                while len(stack) > 1 and stack[-1][0] >= depth:
                    stack.pop()
                parent = stack[-1][1]
                section: dict = {}
                if kind in ("heading", "chapter", "run_in"):
                    section["title"] = title
                if kind == "run_in":
                    section["run_in"] = True
                parent.setdefault("sections", []).append(section)
                stack.append((depth, section))
                if rest:
                    _add_text(section, rest)
                continue
            container = stack[-1][1]
            point = self.point(item, len(container.get("points", container.get("requirements", []))))
            if point is not None and "sections" not in container:
                container.setdefault("points", []).append(point)
            else:
                _add_text(container, item.text.lstrip())  # the layout indents a paragraph itself
        return root

    def classify(self, paragraph: Paragraph, numbering: str) -> tuple[str, int, str, str]:
        """(kind, level, title, text after the title) of a paragraph; kind "text" for plain text."""
        text = paragraph.text.lstrip()  # a clerk indents with spaces (　　一、……)
        style = (paragraph.style or "").strip()
        if self.ours and style == "Chapter" and (match := patterns.CHAPTER.match(text)):
            return "chapter", 1, text[match.end() :], ""
        if match := OUR_HEADING.match(style):  # ours, Word's and WPS's heading styles
            found = patterns.heading_level(text, self.english)
            return "heading", int(match[1]), found[1] if found else text, ""
        if (match := patterns.CHAPTER.match(text)) and len(text) < 40 and not text.endswith("。"):
            return "chapter", 1, text[match.end() :], ""
        if (match := patterns.ARTICLE.match(text)) and len(text) > match.end():
            return "article", 1, "", text[match.end() :]
        if self.ours and numbering != "headings":
            return "text", 0, "", ""
        found = patterns.heading_level(text, self.english)
        if found is None or "\n" in text:
            return "text", 0, "", ""
        level, rest = found
        if (
            not self.ours
            and len(rest) <= (100 if self.english else 40)  # an English heading is longer
            and not rest.endswith(("。", "；", ";", "：", ":"))
            and "。" not in rest
        ):
            return "heading", level, rest, ""
        stop = "." if self.english else "。"
        head, sep, tail = rest.partition(stop)
        if (
            sep
            and tail
            and 0 < len(head) <= 40
            and (not self.ours or (paragraph.runs and paragraph.runs[0].bold) or _font_changes(paragraph))
        ):
            return "run_in", level, head + sep, tail
        return "text", 0, "", ""

    def point(self, paragraph: Paragraph, count: int) -> dict | None:
        """A point (一是……) numbered next after `count` points, as {key?, text}."""
        text = paragraph.text.lstrip()
        if self.english:
            match = patterns.EN_POINT.match(text)
            if not match or ORDINALS.index(match["ordinal"]) != count:
                return None
            return {"text": text[match.end() :], "_raw": [text]}
        match = patterns.POINT.match(text)
        if not match or patterns.chinese_number(match["ordinal"]) != count + 1:
            return None
        rest = text[match.end() :]
        bold = "".join(run.text for run in _leading_bold(paragraph))[match.end() :]
        if bold.endswith("。") and rest.startswith(bold) and len(bold) > 1 and rest[len(bold) :].strip():
            return {"key": bold[:-1], "text": rest[len(bold) :], "_raw": [text]}
        return {"text": rest, "_raw": [text]}


def _leading_bold(paragraph: Paragraph) -> list:
    runs = []
    for run in paragraph.runs:
        if not run.bold:
            break
        runs.append(run)
    return runs


def _font_changes(paragraph: Paragraph) -> bool:
    fonts = [run.font for run in paragraph.runs if run.text.strip()]
    return len(set(fonts)) > 1


def _add_text(container: dict, text: str) -> None:
    """A paragraph into a container, after what is there: its text, its points' last, or text_after."""
    if container.get("sections"):
        container.setdefault("text_after", []).append(text)
    elif container.get("points"):
        container["points"][-1]["text"] = [*_paragraphs(container["points"][-1]["text"]), text]
        container["points"][-1]["_raw"].append(text)
    else:
        container.setdefault("text", []).append(text)


def _add_table(container: dict, fields: dict) -> None:
    if container.get("sections"):
        container.setdefault("tables_after", []).append(fields)
        return
    if container.get("points"):
        # points hold no tables: a table among them keeps them as the paragraphs they print as
        container["text"] = container.get("text", []) + [
            t for point in container.pop("points") for t in point["_raw"]
        ]
    paragraphs = len(container.get("text", []))
    fields["after"] = paragraphs
    container.setdefault("tables", []).append(fields)


def _paragraphs(text: str | list[str]) -> list[str]:
    return text if isinstance(text, list) else [text]
