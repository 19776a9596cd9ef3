"""The corrections of a table the YAML writes out: cells changed, rows added or removed.

A built table is matched to the YAML table it came from by its rows (the one
with most rows alike); its header rows (as many as the YAML's `header`, or one
for titled `columns`) come first, then one row of the document per item of
`rows`, each holding the cells that start in it (a merge from above is left out,
as the YAML leaves it out). Tables the tool makes (a requirement's targets) or
reads from a file have no rows in the YAML to change, and are refused.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from ..i18n import _
from ..source import inline_markup
from ..source.yaml_editing import InsertItem, RemoveItem, SetText

PathKey = tuple


@dataclass
class Table:
    rows: list[list[str]]


def normal(text: str) -> str:
    """Text as compared: no-break spaces are spaces, word joiners nothing."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def get(data: Any, path: PathKey) -> Any:
    for key in path:
        data = data[key]
    return data


def _yaml_tables(data: Any, path: PathKey = ()):
    """Each table written in the YAML (not those from a file): path and header row count."""
    if isinstance(data, dict):
        if isinstance(data.get("rows"), list):
            header = data.get("header")
            columns = data.get("columns") or []
            titled = any(isinstance(c, str) or (isinstance(c, dict) and c.get("title")) for c in columns)
            yield path, len(header) if isinstance(header, list) else int(titled)
        for key, value in data.items():
            yield from _yaml_tables(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _yaml_tables(value, (*path, index))


def _cell_text(cell: Any) -> str:
    value = cell.get("text", "") if isinstance(cell, dict) else cell
    if value is None:
        return ""
    return inline_markup.to_plain(str(value).replace("\n", " ")) if isinstance(value, str) else str(value)


def _row_cells(row: Any) -> list[Any]:
    return row.get("cells", []) if isinstance(row, dict) else row if isinstance(row, list) else []


def _cell_path(row_path: PathKey, row: Any, column: int) -> PathKey:
    base = (*row_path, "cells") if isinstance(row, dict) else row_path
    cell = _row_cells(row)[column]
    return (*base, column, "text") if isinstance(cell, dict) else (*base, column)


def squash(cells: list[str]) -> list[str]:
    return [" ".join(normal(cell).split()) for cell in cells]


def match_table(table: Table, data: dict, used: set[PathKey]) -> tuple[PathKey, int] | None:
    """The YAML table the built table came from: the one with most rows alike."""
    best, best_score = None, 0
    built = {tuple(squash(row)) for row in table.rows}
    for path, header in _yaml_tables(data):
        if path in used:
            continue
        rows = get(data, path)["rows"]
        score = sum(tuple(squash([_cell_text(c) for c in _row_cells(r)])) in built for r in rows)
        if score > best_score:
            best, best_score = (path, header), score
    return best


def squash_rows(table: Table) -> list[list[str]]:
    return [squash(row) for row in table.rows]


def trace_table(tracer, number: int, old: Table, new: Table) -> None:
    """The changes of one built table, placed in the YAML table it came from."""
    matched = match_table(old, tracer.data, tracer.used_tables)
    if matched is None:
        if squash_rows(old) != squash_rows(new):
            tracer.refuse(
                _("table {number} changed, but it is not written in the YAML (made by the tool, or "
                  "read from a table file): change its source").format(number=number)
            )  # fmt: skip
        return
    path, header = matched
    tracer.used_tables.add(path)
    rows = get(tracer.data, path)["rows"]
    old_body, new_body = [squash(r) for r in old.rows[header:]], [squash(r) for r in new.rows[header:]]
    # written back as Word shows them: a line break in a cell stays one
    typed = [[normal(cell).strip() for cell in row] for row in new.rows[header:]]
    if squash_rows(Table(old.rows[:header])) != squash_rows(Table(new.rows[:header])):
        tracer.refuse(
            _("table {number}: its header rows changed; change them in the YAML").format(number=number)
        )
    matcher = difflib.SequenceMatcher(None, [tuple(r) for r in old_body], [tuple(r) for r in new_body])
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                _row_changed(
                    tracer, number, path, rows, i1 + k, old_body[i1 + k], new_body[j1 + k], typed[j1 + k]
                )
            continue
        for k in range(i2 - 1, i1 - 1, -1):
            tracer.result.changes.append(RemoveItem((*path, "rows", k)))
            tracer.result.report.append(
                _("table {number}: row {row} removed").format(number=number, row=k + 1)
            )
        for k in range(j1, j2):
            tracer.result.changes.append(InsertItem((*path, "rows"), i2, typed[k]))
        for k in range(j1, j2):
            tracer.result.report.append(_("table {number}: row {row} added").format(number=number, row=k + 1))


def _row_changed(
    tracer, number: int, path: PathKey, rows: list, index: int, old: list, new: list, typed: list
) -> None:
    row = rows[index]
    cells = _row_cells(row)
    if len(cells) != len(old) or len(old) != len(new):
        tracer.refuse(
            _("table {number}, row {row}: a cell changed in a row with merged cells; "
              "change it in the YAML").format(number=number, row=index + 1)
        )  # fmt: skip
        return
    for column, (was, now) in enumerate(zip(old, new, strict=True)):
        if was == now:
            continue
        written = cells[column].get("text") if isinstance(cells[column], dict) else cells[column]
        if isinstance(written, str) and any(span.style for span in inline_markup.parse(written)):
            tracer.refuse(
                _("table {number}, row {row}, cell {column} has bold, italic or a link, which the "
                  "draft does not show: change it in the YAML").format(
                    number=number, row=index + 1, column=column + 1)
            )  # fmt: skip
            continue
        tracer.result.changes.append(SetText(_cell_path((*path, "rows", index), row, column), typed[column]))
        tracer.result.report.append(
            _("table {number}, row {row}, cell {column}: {old} → {new}").format(
                number=number, row=index + 1, column=column + 1, old=_short(was), new=_short(now)
            )
        )


def _short(text: str) -> str:
    return "∅" if not text else text if len(text) <= 30 else text[:30] + "…"
