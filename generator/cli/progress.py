"""`returns status` and `returns summary`: how far the unions are, on the terminal and as the
progress workbook (台账) a secretariat keeps and passes on.

Subcommands of the `returns` group (returns.py; cli/__init__.py adds them); progress and the workbook
(openpyxl) are imported inside the commands, as there, for start-up time only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import _
from .common import EXIT_INVALID, Context, in_project, shown_path
from .returns import _circular, _heading, _today
from .terminal import table

if TYPE_CHECKING:
    from ..source.project import Project
    from ..source.returns import Progress, Unmapped


def _status_json(project: Project, state: Progress) -> str:
    lang = state.circular.language
    names = project.registry
    return json.dumps(
        {
            "circular": state.circular.id,
            "today": state.today.isoformat(),
            "done": sum(r.done for r in state.rows),
            "total": len(state.rows),
            "completion": round(state.rate(), 4),
            "overdue": sum(r.overdue for r in state.rows),
            "organizations": [
                {
                    "id": org,
                    "name": names.name(org, lang),
                    "done": sum(r.done for r in state.rows if r.organization == org),
                    "total": sum(1 for r in state.rows if r.organization == org),
                    "completion": round(state.rate(org), 4),
                    "overdue": sum(r.overdue for r in state.rows if r.organization == org),
                }
                for org in state.organizations()
            ],
            "items": [
                {
                    "organization": r.organization,
                    "item": r.item.label,
                    "requirement": r.item.requirement,
                    "target": r.item.target,
                    "deadline": r.item.deadline.isoformat() if r.item.deadline else None,
                    "status": r.latest.status if r.latest else None,
                    "value": r.latest.value if r.latest else None,
                    "date": r.latest.date.isoformat() if r.latest and r.latest.date else None,
                    "note": r.latest.note if r.latest else None,
                    "who": r.latest.who if r.latest else None,
                    "source": r.latest.source if r.latest else None,
                    "overdue": r.overdue,
                }
                for r in state.rows
            ],
            "unmapped": [
                {
                    "organization": u.organization,
                    "circular": u.circular,
                    "item": u.label,
                    "status": u.entry.status,
                    "source": u.entry.source,
                    "recorded": u.entry.recorded,
                    "why": u.why,
                }
                for u in state.unmapped
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def rate(state: Progress, organization: str | None = None) -> str:
    """A completion rate as the tracker shows it (source/returns.py's percent): 1 of 40 is 3%."""
    from ..source.returns import percent  # lazily: see the module's docstring

    rows = [r for r in state.rows if organization is None or r.organization == organization]
    shown = percent(sum(r.done for r in rows), len(rows))
    return "—" if shown is None else f"{shown}%"


def _shortened(text: str, most: int = 24) -> str:
    """A requirement with no key phrase: its text cut to fit a terminal table's column."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _unmapped_row(u: Unmapped, labels: dict[str, str]) -> list[str]:
    """An answer matching no item now: its number then, version, organization, status, file, time."""
    return [u.label, u.circular, u.organization, labels[u.entry.status], u.entry.source, u.entry.recorded]


@click.command("status")
@click.argument("circular_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_obj
def status(obj: Context, circular_id: str, as_json: bool) -> None:
    """Show, per requirement and organization, the latest status and value reported.

    Items past their deadline and not done are marked overdue (judged against
    today, or CIRCULARS_TODAY=YYYY-MM-DD); the completion rate is the share of
    items reported done, overall and per organization.

    \b
    Examples:
      circulars returns status panzhihua-2024-07
      circulars returns status panzhihua-2024-07 --json
    """
    from ..source.returns import STATUS_LABELS, progress  # lazily: see the module's docstring

    project = obj.load()
    circular = _circular(project, circular_id)
    state = progress(project, circular, _today())
    for d in state.problems.sorted():  # unreadable records; answers matching no item now
        click.echo(d.format(project.root), err=True)
    if as_json:
        click.echo(_status_json(project, state))
    else:
        from ..distribution.returns.forms import described
        from ..source.inline_markup import to_plain

        labels = STATUS_LABELS[circular.language]
        rows = []
        for r in state.rows:
            requirement, metric, target = described(circular, r.item)
            key = circular.requirements[r.item.requirement - 1].key
            rows.append(
                [
                    r.item.label,
                    to_plain(key) if key else _shortened(requirement),
                    f"{metric} {target}" if r.item.target is not None else "",
                    r.item.deadline.isoformat() if r.item.deadline else "—",
                    r.organization,
                    project.registry.name(r.organization, circular.language),
                    labels[r.latest.status] if r.latest else _("(no return)"),
                    str(r.latest.value) if r.latest and r.latest.value is not None else "",
                    r.latest.date.isoformat() if r.latest and r.latest.date else "",
                    _("OVERDUE") if r.overdue else "",
                ]
            )
        click.echo(_heading(project, circular))
        headers = [_("ITEM"), _("REQUIREMENT"), _("TARGET"), _("DEADLINE"), _("ORGANIZATION"), _("NAME")]
        click.echo(table([*headers, _("STATUS"), _("VALUE"), _("DATE"), ""], rows))
        per_org = [
            [
                org,
                project.registry.name(org, circular.language),
                _("{done} of {total}").format(
                    done=sum(r.done for r in state.rows if r.organization == org),
                    total=sum(r.organization == org for r in state.rows),
                ),
                rate(state, org),
                str(sum(r.overdue for r in state.rows if r.organization == org)),
            ]
            for org in state.organizations()
        ]
        headers = [_("ORGANIZATION"), _("NAME"), _("DONE"), _("COMPLETION"), _("OVERDUE")]
        click.echo(table(headers, per_org))
        if state.unmapped:
            click.echo(_("Not counted: answers that match no item of the circular as it is now"))
            lost = [_unmapped_row(u, labels) for u in state.unmapped]
            headers = [_("WAS ITEM"), _("ON"), _("ORGANIZATION"), _("STATUS"), _("FROM"), _("RECORDED")]
            click.echo(table(headers, lost))
        done = sum(r.done for r in state.rows)
        overdue = sum(r.overdue for r in state.rows)
        click.echo(
            _("{done} of {total} items done ({rate}); {overdue} overdue on {today}").format(
                done=done,
                total=len(state.rows),
                rate=rate(state),
                overdue=overdue,
                today=state.today.isoformat(),
            )
        )
    if state.problems.has_errors():
        sys.exit(EXIT_INVALID)


SUMMARY = "build/returns/{id}-progress.xlsx"


@click.command("summary")
@click.argument("circular_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The workbook to write (relative to the project). Default: {SUMMARY.format(id='ID')}.",
)
@click.pass_obj
def summary(obj: Context, circular_id: str, output: Path | None) -> None:
    """Write the progress of a circular as one Excel workbook: the ledger (台账) to keep and pass on.

    A sheet per union (done, items, completion rate, overdue), a sheet per
    requirement or target (how many unions are done, how many overdue), and
    a sheet with every union's latest status, value, date, note and contact
    person; overdue rows are filled red. Overdue is judged as by `returns
    status`. OUTPUT may not lie in the project's sources.

    \b
    Examples:
      circulars returns summary panzhihua-2024-07
      circulars returns summary panzhihua-2024-07 -o 汇总表.xlsx
    """
    from ..distribution.returns.summary import summary_workbook  # lazily: see the module's docstring
    from ..docx.build import write_atomically
    from ..site.outputs import UnsafeOutput, check_output, docs_dir
    from ..source.document_numbers import document_number
    from ..source.inline_markup import to_plain
    from ..source.returns import progress

    project = obj.load()
    circular = _circular(project, circular_id)
    path = in_project(project.root, output) if output else project.root / SUMMARY.format(id=circular.id)
    if path.suffix.lower() != ".xlsx":
        click.echo(
            _("error: {path}: the workbook's name must end in .xlsx").format(
                path=shown_path(path, project.root)
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    try:  # a single new file beside the sources is safe; inside them it is not
        if path.parent.resolve() != project.root.resolve():
            check_output(path.parent, project.root, docs_dir(project.root), _("progress workbook"))
    except UnsafeOutput as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    state = progress(project, circular, _today())
    for d in state.problems.sorted():
        click.echo(d.format(project.root), err=True)
    if not state.rows:  # as `returns forms`: nobody answers, there is no progress to keep
        click.echo(
            _("error: {id}: no requirement names a responsible organization").format(id=circular.id), err=True
        )
        sys.exit(EXIT_INVALID)
    number = document_number(circular, project.registry)
    data = summary_workbook(project, circular, state, number, to_plain(circular.title))
    try:
        write_atomically(path, data)
    except OSError as error:
        click.echo(
            _("error: cannot write {path}: {reason}").format(
                path=shown_path(path, project.root), reason=error.strerror or error
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    click.echo(_heading(project, circular))
    done = sum(r.done for r in state.rows)
    click.echo(
        _("{done} of {total} items done ({rate}), {overdue} overdue: {path}").format(
            done=done,
            total=len(state.rows),
            rate=rate(state),
            overdue=sum(r.overdue for r in state.rows),
            path=shown_path(path, project.root),
        )
    )
    if state.problems.has_errors():
        sys.exit(EXIT_INVALID)


COMMANDS = (status, summary)
