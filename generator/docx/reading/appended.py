"""What follows a circular's signature and date: the documents it issues (印发, 转发)
and the attachment pages (附件, 附表), each with its own body, attachment note and
signature; attachments listed in the note but not printed stay `included: false`."""

from __future__ import annotations

from typing import Any

from . import patterns
from .blocks import Paragraph, Table
from .tables import table_fields


def read_appended(zones: Any, items: list, note_titles: list[str]) -> dict:
    """{documents?, attachments?, notes?} from the blocks after the date."""
    ours = zones.reading.ours
    parts: list[tuple[str, dict, list]] = []  # (kind, fields, body items)
    fields: dict = {}
    index = 0
    while index < len(items):
        item = items[index]
        text = item.text.strip() if isinstance(item, Paragraph) else ""
        style = item.style if isinstance(item, Paragraph) else ""
        label = patterns.ATTACHMENT_LABEL.match(text) if text else None
        if style == "Attachment Label" or (label and not ours):
            part: dict = {}
            if label and label["label"] not in ("附件", "Attachment"):
                part["label"] = label["label"]
            index += 1
            if index < len(items) and isinstance(items[index], Paragraph):
                part["title"] = items[index].text
                index += 1
            parts.append(("attachment", part, []))
            continue
        if style == "Document Title" or (not parts and not ours and isinstance(item, Paragraph)):
            parts.append(("document", {"title": item.text}, []))
            index += 1
            continue
        if not parts:
            zones.reading.kept.append(text)
            if text:
                fields.setdefault("notes", []).append(text)
            index += 1
            continue
        parts[-1][2].append(item)
        index += 1
    documents: list[dict] = []
    attachments: list[dict] = []
    notes: dict[int, list[str]] = {}  # id of a part → the titles its own note lists
    hosts: list[dict] = []
    for kind, part, body in parts:
        notes[id(part)] = _fill(zones, part, body, kind)
        if kind == "document":
            documents.append(part)
            hosts.append(part)
            continue
        title = _plain(part.get("title"))
        host = next((h for h in reversed(hosts) if title in map(_plain, notes[id(h)])), None)
        if host is None and title not in map(_plain, note_titles) and hosts:
            host = hosts[-1]
        if host is not None:
            host.setdefault("attachments", []).append(part)
        else:
            attachments.append(part)
        hosts.append(part)
    for host in [*documents, *(p for _, p, _ in parts if p not in documents)]:
        _not_included(host.setdefault("attachments", []), notes[id(host)])
        if not host["attachments"]:
            host.pop("attachments")
    _not_included(attachments, note_titles)
    if documents:
        fields["documents"] = documents
    if attachments:
        fields["attachments"] = attachments
    return fields


def _not_included(attachments: list[dict], titles: list[str]) -> None:
    """Attachments the note lists without a page, in the note's order."""
    listed = {_plain(a.get("title")) for a in attachments}
    attachments += [{"title": t, "included": False} for t in titles if _plain(t) not in listed]
    order = {_plain(title): n for n, title in enumerate(titles)}
    attachments.sort(key=lambda a: order.get(_plain(a.get("title")), len(order)))


def _plain(title: str | None) -> str:
    """A title as the note and the page both write it: the page breaks a long one into lines."""
    return (title or "").replace("\n", "")


def _fill(zones: Any, part: dict, items: list, kind: str) -> list[str]:
    """A document's or attachment's body, with its signature lines; the titles its note lists."""
    ours = zones.reading.ours
    signature: list[str] = []
    while items and isinstance(items[-1], Paragraph):
        last = items[-1]
        if last.style in ("Signature", "Date", "Signature Sealed", "Date Sealed") or (
            not ours
            and kind == "document"
            and zones._signature_like(last)
            and (patterns.any_date(last.text) or signature)
        ):
            signature.insert(0, items.pop().text)
        else:
            break
    titles: list[str] = []
    start = _note_start(items, ours)
    if start is not None:
        for line in items[start:]:
            match = patterns.ATTACHMENT_NOTE.match(line.text.strip())
            rest = match["rest"] if match else line.text
            titles += [patterns.strip_number(t) for t in rest.split("\n") if t.strip()]
        del items[start:]
    if kind == "attachment" and len(items) == 1 and isinstance(items[0], Table):
        part["table"] = table_fields(items[0])
    else:
        part.update(zones.body.read(items))
    if signature:
        part["signature"] = signature
    return titles


def _note_start(items: list, ours: bool) -> int | None:
    """Where an attachment note ends the body: 附件：1.…, then 2.… a line each."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if not isinstance(item, Paragraph):
            return None
        if ours:
            if item.style == "Attachment Note":
                return index
            if item.style != "Attachment Note Continued":
                return None
        elif patterns.ATTACHMENT_NOTE.match(item.text.strip()):
            return index
        elif not patterns.LIST_NUMBER.match(item.text):
            return None
    return None
