"""Checking every table of a circular, and reading its table files, at check time.

Each table is laid out here once (tables.py): a span past the edge or over
another cell is an error at that cell's line and column. A table file must be
where attachments may be (attachments.py: under an attachments/ folder, never a
hidden, configuration or special file) and readable (table_files.py); what is
wrong inside it is reported at the file's own line (a CSV) or named by its cell
(an XLSX). A table laid out (or a file read) without problems is kept with it for rendering.
A table's `after` names a paragraph of the text it goes with; a number past
that text's last paragraph is an error, never a table quietly put elsewhere. Column
widths and sizes that cannot fit the type area are checked here too (width_problems).
"""

from __future__ import annotations

from typing import Any

from ..i18n import _, ngettext
from .attachments import attachment_problem
from .inline_markup import paragraphs
from .project import Project, Source
from .table_files import TableFileError, read_table_file
from .tables import MAX_COLUMNS, Problem, Table, finish, layout, millimetres, place, tables_in
from .type_sizes import points

# The narrowest type area a table is laid in (GB/T 9704's 156 mm; turned, 225 mm),
# and the least room a column takes: one character and the cell's margins (1.5 mm each side).
TEXT_WIDTH_MM = {False: 156.0, True: 225.0}
CELL_MARGINS_MM = 3.0
MM_PER_POINT = 25.4 / 72


def check_tables(project: Project, source: Source) -> None:
    diagnostics = project.diagnostics
    for path, table in tables_in(source.circular):
        if table.after is not None:
            problem = _placement_problem(source.circular, path, table.after)
            if problem is not None:
                diagnostics.error(source.path, source.at(*path, "after"), problem)
        if table.file is None:
            grid, problems = layout(table)
            problems += width_problems(table, grid.columns)
            for where, message in problems:
                diagnostics.error(source.path, source.at(*path, *where), message)
            if not problems:
                table.keep_grid(grid)
            continue
        file_path = path if path[-1] == "file" else (*path, "file")
        here = source.at(*file_path)
        problem = attachment_problem(project, source.path, table.file)
        if problem is not None:
            if path[-1] != "file":  # an attachment's own file is reported with the attachments
                diagnostics.error(source.path, here, problem.replace("attachment", "table", 1))
            continue
        _read_file(project, source, table, file_path)


def _read_file(project: Project, source: Source, table: Table, file_path: tuple) -> None:
    diagnostics = project.diagnostics
    here = source.at(*file_path)
    target = (source.path.parent / table.file).resolve()
    project.table_files.add(target)
    try:
        read = read_table_file(target, table.file, table.header_rows, table.sheet)
    except TableFileError as error:
        if error.position is not None:
            diagnostics.error(target, error.position, str(error), origin=source.path)
        else:
            diagnostics.error(source.path, here, str(error))
        return
    rows, columns, problems = place(read.rows, None)
    for where, message in problems:  # where: the cell, as "file, sheet 'S', cell B3"
        diagnostics.error(source.path, here, f"{where[0]}: {message}")
    if columns > MAX_COLUMNS:
        diagnostics.error(
            source.path,
            here,
            _("'{file}' has {columns} columns; Word tables hold at most {max_columns}").format(
                file=table.file, columns=columns, max_columns=MAX_COLUMNS
            ),
        )
    table_path = file_path[:-1]
    widths = width_problems(table, columns)
    for where, message in widths:
        diagnostics.error(source.path, source.at(*table_path, *where), message)
    if not problems and not widths and columns <= MAX_COLUMNS:
        table.keep_grid(finish(table, rows, columns, read.widths))


def _placement_problem(circular: Any, path: tuple, after: int) -> str | None:
    """What is wrong with `after: N` for the table at `path`: N counts the paragraphs
    of the text its list goes with (a section's, a requirement's, the background,
    or a section's `text_after` for its `tables_after`)."""
    if path[-1] == "table":
        return _(
            "'after' places a table among the paragraphs of its text, but an attachment's 'table' prints "
            "before its text: list it under 'tables:' to place it"
        )
    owner = circular
    for part in path[:-2]:
        owner = owner[part] if isinstance(part, int) else getattr(owner, part)
    text = {"background_tables": "background", "tables_after": "text_after"}.get(path[-2], "text")
    text = getattr(owner, text)
    count = len(paragraphs(text))
    if after <= count:
        return None
    if not count:
        return _(
            "'after: {after}' is past the end of the text this table goes with, which has no paragraphs "
            "(write 0, or leave 'after' out to place the table after the last)"
        ).format(after=after)
    return ngettext(
        "'after: {after}' is past the end of the text this table goes with, which has {count} paragraph "
        "(write 0 to {count}, or leave 'after' out to place the table after the last)",
        "'after: {after}' is past the end of the text this table goes with, which has {count} paragraphs "
        "(write 0 to {count}, or leave 'after' out to place the table after the last)",
        count,
    ).format(after=after, count=count)


def width_problems(table: Table, columns: int) -> list[Problem]:
    """Widths that cannot fit: shares over 100 %, lengths past the type area, more
    columns given than the table has, or columns too many for one character each
    at the table's size."""
    problems: list[Problem] = []
    if table.columns and len(table.columns) != columns:
        problems.append(
            (
                ("columns",),
                _("{given} columns are given, but the table has {columns}").format(
                    given=len(table.columns), columns=columns
                ),
            )
        )
    shares = [float(c.width[:-1]) for c in table.columns if c.width and c.width.endswith("%")]
    if sum(shares) > 100:
        problems.append(
            (
                ("columns",),
                _("the column widths add up to {percent:g}% of the text width").format(percent=sum(shares)),
            )
        )
    room = TEXT_WIDTH_MM[table.landscape]
    lengths = [millimetres(c.width) for c in table.columns if c.width]
    fixed = sum(length for length in lengths if length is not None)
    if fixed > room:
        if table.landscape:
            message = _(
                "the column widths add up to {fixed:g} mm, wider than a landscape page's {room:g} mm text "
                "width"
            )
        else:
            message = _(
                "the column widths add up to {fixed:g} mm, wider than the page's {room:g} mm text width"
            )
        message = message.format(fixed=fixed, room=room)
        problems.append((("columns",), message))
    if table.font_size:
        least = columns * (points(table.font_size) * MM_PER_POINT + CELL_MARGINS_MM)
        if least > room:
            problems.append(
                (
                    ("font_size",),
                    _(
                        "{columns} columns of {font_size} text need at least {least:.0f} mm, one character "
                        "each, but the text width is {room:g} mm: choose a smaller size or landscape: true"
                    ).format(columns=columns, font_size=table.font_size, least=least, room=room),
                )
            )
    return problems
