"""Telling the parts of an official document apart: a circular's fields from its blocks.

The document is read in zones, as GB/T 9704 lays it out: the 版头 (issuing
body, number, 签发人, secrecy and urgency) above the title; the 主送 line; the
body (body.py) down to the closing, attachment note, signature and date; notes
in brackets, then documents issued with it and attachment pages; the 版记 at
the end (抄送, 印发). An English letter has letterhead, references, the To line,
salutation and subject above its text, a complimentary close and signatory
below. A document this tool wrote is read by its paragraph styles; any other
(a clerk's plain file, WPS) by text patterns and alignment.

Names (issuers, recipients, the imprint's organ) are given as written: the
docx importer matches them to the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import patterns
from .appended import read_appended
from .blocks import Break, Document, Paragraph, Table
from .body import BodyReader
from .letter import read_letter_header
from .tables import Captioned

OUR_STYLES = {
    "Doc Number",
    "Organ Mark",
    "Recipients",
    "Signature Sealed",
    "Date Sealed",
    "Closing",
    "Letterhead",
}
_DROP = {
    "footer",
    "header",
    "Red Rule",
    "Letterhead Rule",
    "Double Rule",
    "Letterhead Details",
    "Byline",
    "Source",
}
_TITLE_ENDS = ("通知", "意见", "函", "办法", "方案", "决定", "通报", "报告", "纪要")
_TITLE_ENDS += ("规定", "细则", "公告", "批复", "请示", "复函", "要点", "计划")
_END_STYLES = {
    "Closing", "Attachment Note", "Signature", "Signature Sealed", "Signature Name", "Date", "Date Sealed",
    "Complimentary Close", "Contact",
}  # fmt: skip


_CLOSE = re.compile(r"^(Yours\b|(Best|Kind|Warm) regards|With best wishes|Regards)", re.I)


@dataclass
class Reading:
    """What a document says, before its names are matched to the registry."""

    fields: dict = field(default_factory=dict)
    """Fields in the YAML's form and order, except the names below."""
    english: bool = False
    ours: bool = False
    issuer_names: list[str] = field(default_factory=list)
    number: dict | None = None
    """{prefix, year, number} as the number line writes it."""
    signer_names: list[str] = field(default_factory=list)
    to_names: list[list[str]] = field(default_factory=list)
    cc_names: list[list[str]] = field(default_factory=list)
    imprint: tuple[str, str] | None = None
    """(organ, date text) of the 印发 line."""
    number_line: tuple[str, str] | None = None
    """(label, number) of an English letter's number line: ("Circular No.", "NP/183/15")."""
    signature_lines: list[str] = field(default_factory=list)
    signatory_name: str | None = None
    kept: list[str] = field(default_factory=list)
    """Paragraphs kept as text that the reader could not place."""


def read_circular(document: Document, english: bool | None = None) -> Reading:
    items = _items(document)
    paragraphs = [item for item in items if isinstance(item, Paragraph)]
    ours = any(p.style in OUR_STYLES for p in paragraphs)
    if english is None:
        english = _english("".join(p.text for p in paragraphs[:40]))
    reading = Reading(english=english, ours=ours)
    _Zones(reading, items).read()
    return reading


def _english(text: str) -> bool:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return cjk < len(text) * 0.05


def _items(document: Document) -> list[Paragraph | Table | Captioned]:
    """The blocks that carry text, captions joined to their tables, layout-only ones left out."""
    items: list = []
    for block in document.blocks:
        if isinstance(block, Break):
            continue
        if isinstance(block, Paragraph):
            if (
                block.style in _DROP
                or not block.text.strip()
                or re.fullmatch(r"[—\-－]\s*\d+\s*[—\-－]", block.text)
            ):
                continue
            items.append(block)
        elif isinstance(block, Table):
            previous = items[-1] if items else None
            if isinstance(previous, Paragraph) and (
                previous.style == "Table Caption"
                or (previous.style != "Title" and re.match(r"^表\s*\d+", previous.text))
            ):
                items[-1] = Captioned(block, previous.text)
            else:
                items.append(block)
    return items


class _Zones:
    def __init__(self, reading: Reading, items: list):
        self.reading = reading
        self.items = items
        self.fields = reading.fields
        self.body = BodyReader(reading.english, reading.ours)

    def style(self, index: int) -> str:
        item = self.items[index]
        return (item.style or "") if isinstance(item, Paragraph) else ""

    def text(self, index: int) -> str:
        item = self.items[index]
        return item.text if isinstance(item, Paragraph) else ""

    def read(self) -> None:
        items = self.items
        self.take_record()
        title_at = self.find_title()
        self.read_header(items[:title_at])
        position = self.read_title(title_at)
        position = self.read_after_title(position)
        end = self.find_end(position)
        self.read_body(items[position:end])
        self.read_end(end)

    # -- 版记 ---------------------------------------------------------------------------
    def take_record(self) -> None:
        """Take the 版记 (抄送, 印发, 公开方式) off the end, as a table or as lines."""
        items = self.items
        while items:
            last = items[-1]
            lines = (
                [
                    p.text
                    for row in last.rows
                    for cell in row.cells
                    for p in cell.blocks
                    if isinstance(p, Paragraph)
                ]
                if isinstance(last, Table)
                else [last.text]
                if isinstance(last, Paragraph)
                else []
            )
            lines = [line for line in lines if line.strip()]
            if not lines or not all(self.record_line(line, dry=True) for line in lines):
                return
            for line in lines:
                self.record_line(line)
            items.pop()

    def record_line(self, line: str, dry: bool = False) -> bool:
        text = line.strip()
        if match := patterns.CC.match(text):
            if not dry:
                self.reading.cc_names = patterns.split_names(match["rest"]) + self.reading.cc_names
                if match["label"] != "抄送" and not self.reading.english:
                    self.fields.setdefault("labels", {})["cc"] = match["label"] + "："
            return True
        flat = re.sub(r"\s+", " ", text.replace("\t", " "))
        if match := patterns.IMPRINT.match(flat):
            if not dry:
                self.reading.imprint = (match["organ"].strip(), match["date"])
            return True
        if patterns.PUBLICITY.match(text):
            if not dry:
                self.fields["publicity"] = re.split(r"[：:]", text, maxsplit=1)[1].strip()
            return True
        return False

    # -- 版头 and title -----------------------------------------------------------------
    def find_title(self) -> int:
        items = self.items
        if self.reading.ours:
            for index, item in enumerate(items):
                if isinstance(item, Paragraph) and item.style == "Title":
                    return index
        for index, item in enumerate(items[:12]):
            if not isinstance(item, Paragraph):
                continue
            text = item.text.strip()
            if self.header_line(text) or (text.endswith("文件") and index < 3):
                continue
            return index
        return 0

    def header_line(self, text: str) -> bool:
        flat = re.sub(r"\s+", "", text)
        return bool(
            patterns.NUMBER.match(flat)
            or patterns.NUMBER_ORDINAL.match(flat)
            or patterns.SIGNER.search(text)
            or patterns.URGENCY.match(flat)
            or patterns.SECRECY.match(flat)
            or re.fullmatch(r"\d{6}", flat)  # 份号
        )

    def read_header(self, items: list) -> None:
        for item in items:
            if not isinstance(item, Paragraph):
                continue
            text = item.text.strip()
            style = item.style or ""
            for part in re.split(r"\t|\s{2,}|\u3000{2,}", text):
                self.header_part(part.strip(), style)

    def header_part(self, part: str, style: str) -> None:
        if not part:
            return
        flat = re.sub(r"\s+", "", part)
        reading = self.reading
        if match := patterns.SIGNER.search(part):
            reading.signer_names = match["names"].split()
        elif (match := patterns.NUMBER.match(flat)) or (match := patterns.NUMBER_ORDINAL.match(flat)):
            groups = match.groupdict()
            reading.number = {
                "prefix": groups["prefix"],
                "year": groups.get("year"),
                "number": int(groups["number"]),
            }
        elif patterns.URGENCY.match(flat):
            self.fields["urgency"] = flat
        elif match := patterns.SECRECY.match(flat):
            self.fields["classification"] = {
                "level": match[1],
                **({"period": match["period"]} if match["period"] else {}),
            }
        elif (
            style.startswith(("Organ Mark", "Letterhead"))
            or flat.endswith("文件")
            or not reading.issuer_names
        ):
            names = [n for n in re.split(r"\n|\s{2,}", part) if n.strip()]
            reading.issuer_names += [
                re.sub(r"文件$", "", n.strip()) for n in names if not re.fullmatch(r"\d{6}", n)
            ]

    def read_title(self, at: int) -> int:
        """The title's lines (joined; kept as lines when it breaks them itself); the index after it."""
        items = self.items
        if at >= len(items) or not isinstance(items[at], Paragraph):
            return at
        lines = [items[at].text]
        end = at + 1
        if not self.reading.ours and not self.reading.english:
            while (
                end < len(items)
                and isinstance(items[end], Paragraph)
                and not "".join(lines).endswith(_TITLE_ENDS)
                and len(lines) < 4
                and not items[end].text.rstrip().endswith(("：", ":"))
                and len(items[end].text) < 40
                and items[end].alignment == items[at].alignment
            ):
                lines.append(items[end].text)
                end += 1
        title = "\n".join(lines)
        self.fields["title"] = title
        return end

    def read_after_title(self, position: int) -> int:
        """The 主送 line (or To lines), salutation, subject and references of a letter."""
        items = self.items
        if self.reading.english and not self.reading.ours:
            return read_letter_header(self, position)
        while position < len(items) and isinstance(items[position], Paragraph):
            paragraph = items[position]
            style, text = paragraph.style or "", paragraph.text.strip()
            if style in ("Reference", "Reference Extra", "Subject", "Byline", "Source", "Document Title"):
                position += 1
            elif style == "Salutation" or (
                self.reading.english and re.match(r"^Dear\b", text) and len(text) < 60
            ):
                self.fields["salutation"] = text
                position += 1
            elif style == "Recipients" or (
                not self.reading.ours
                and not self.reading.to_names
                and text.endswith(("：", ":"))
                and len(text) < 300
                and not patterns.heading_level(text, self.reading.english)
            ):
                body = re.sub(r"^(To|主送)\s*[:：]\s*", "", text)
                for line in body.split("\n"):
                    self.reading.to_names += patterns.split_names(line)
                position += 1
            else:
                break
        return position

    # -- the end: closing, attachment note, signature, date, notes ------------------------
    def find_end(self, position: int) -> int:
        items = self.items
        for index in range(position, len(items)):
            item = items[index]
            if not isinstance(item, Paragraph):
                continue
            if self.reading.ours:
                if item.style in _END_STYLES:
                    return index
                continue
            if patterns.CLOSINGS.match(item.text.strip()) or patterns.ATTACHMENT_NOTE.match(
                item.text.strip()
            ):
                return self._contact_before(index, position)
            if patterns.any_date(item.text) and index > position:
                start = index
                while start - 1 > position and self._signature_like(items[start - 1]):
                    start -= 1
                return self._contact_before(start, position)
            if self.reading.english and _CLOSE.match(item.text):
                return index
        return len(items)

    def _signature_like(self, item) -> bool:
        return (
            isinstance(item, Paragraph)
            and len(item.text) <= 40
            and not item.text.rstrip().endswith(("。", "；", "：", ".", ";"))
        )

    def _contact_before(self, index: int, floor: int) -> int:
        while (
            index - 1 >= floor
            and isinstance(self.items[index - 1], Paragraph)
            and patterns.CONTACT.match(self.items[index - 1].text.strip())
        ):
            index -= 1
        return index

    def read_body(self, items: list) -> None:
        body = self.body.read(items)
        body.pop("numbering", None)
        for key in ("text", "tables", "sections", "points", "text_after", "tables_after"):
            if key not in body:
                continue
            value = body[key]
            if key == "text":
                self.fields["background"] = value
            elif key == "tables":
                self.fields["background_tables"] = value
            elif key == "points":
                self.fields["requirements"] = value
            elif key == "sections":
                self.fields["sections"] = value
            else:
                target = self.fields["sections"][-1] if self.fields.get("sections") else None
                if target is not None:
                    target.setdefault(key, []).extend(value)

    def read_end(self, position: int) -> None:
        items, reading, fields = self.items, self.reading, self.fields
        note_titles: list[str] = []
        dated = False  # the date under the signature is read (an English letter's is above its text)
        while position < len(items):
            item = items[position]
            if not isinstance(item, Paragraph):
                break
            style, text = item.style or "", item.text.strip()
            if style == "Contact" or (
                patterns.CONTACT.match(text) and not reading.signature_lines and not dated
            ):
                fields["contact"] = (
                    {"text": text}
                    if "contact" not in fields
                    else {"text": fields["contact"]["text"] + "\n\n" + text}
                )
            elif style == "Closing" or patterns.CLOSINGS.match(text):
                fields["closing"] = text
            elif match := patterns.ATTACHMENT_NOTE.match(text):
                if match["label"] not in ("附件", "Attachments", "Attachment"):
                    fields["attachment_note"] = match["label"] + ("：" if not reading.english else ": ")
                note_titles += [
                    patterns.strip_number(line) for line in match["rest"].split("\n") if line.strip()
                ]
            elif style == "Attachment Note Continued" or (
                note_titles and patterns.LIST_NUMBER.match(text) and not dated
            ):
                note_titles.append(patterns.strip_number(text))
            elif style == "Complimentary Close" or (reading.english and _CLOSE.match(text)):
                fields["complimentary_close"] = text
            elif style == "Signature Name":
                reading.signatory_name = text
            elif style == "Signature Title":
                pass
            elif not dated and (found := patterns.any_date(text)):
                dated = True
                fields["date"], style_name = found
                if style_name:
                    fields["date_style"] = style_name
            elif patterns.ATTACHMENT_LABEL.match(text) or style in ("Attachment Label", "Document Title"):
                break
            elif not dated and (
                style.startswith("Signature") or (not reading.ours and self._signature_like(item))
            ):
                reading.signature_lines.append(text)
            elif style == "Notes" or (text.startswith("（") and text.endswith("）") and dated):
                # the template puts a note in brackets: the text goes in without them
                inner = text[1:-1] if text.startswith("（") and text.endswith("）") else text
                fields.setdefault("notes", []).append(inner)
            elif style == "Publicity" or patterns.PUBLICITY.match(text):
                fields["publicity"] = re.split(r"[：:]", text, maxsplit=1)[1].strip()
            else:
                break
            position += 1
        self.read_appended(items[position:], note_titles)

    def read_appended(self, items: list, note_titles: list[str]) -> None:
        appended = read_appended(self, items, note_titles)
        self.fields.update(appended)
