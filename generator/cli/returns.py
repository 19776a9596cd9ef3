"""Commands that close the loop: return forms out, returns in, progress, reminders.

Progress (source/returns.py, pydantic), the forms, the import, the reminders
and the mailer (openpyxl, Jinja, smtplib) are imported inside the commands that
use them, so that `circulars --help` and `circulars check` do not pay for them:
for start-up time only, never to dodge an import cycle (there is none).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from .common import (
    EXIT_INVALID,
    Context,
    fail_on_errors,
    in_project,
    named_or_given,
    printable,
    selected_circulars,
    shown_path,
)
from .distribution import REGISTER_OPTION, _open_register, _register_path
from .terminal import table

if TYPE_CHECKING:
    from datetime import date

    from ..distribution.returns.reminders import Reminders
    from ..source.model import Circular
    from ..source.project import Project

FORMS_DIR = "build/forms"
MAX_DAYS = 36500  # a reminder horizon of a hundred years covers every deadline there is


def _today() -> date:
    from ..source.returns import today  # lazily: see the module's docstring

    try:
        return today()
    except ValueError as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)


def _circular(project: Project, circular_id: str) -> Circular:
    fail_on_errors(project)
    return selected_circulars(project, (circular_id,))[0]


def _heading(project: Project, circular: Circular) -> str:
    from ..source.document_numbers import document_number  # lazily: see the module's docstring
    from ..source.inline_markup import to_plain

    return f"{circular.id}: {document_number(circular, project.registry)} {to_plain(circular.title)}".replace(
        "  ", " "
    )


@click.group("returns")
def returns() -> None:
    """Return forms out, progress in: what each organization reports on a circular.

    Each organization responsible for a requirement gets an Excel form
    (`returns forms`), fills in its status, achieved value, date, note and
    contact person, and sends it back; `returns import` checks it and records
    it in returns/ID/ORG.yaml; `returns status` shows who has done what.

    \b
    Examples:
      circulars returns forms panzhihua-2024-07 -o forms/
      circulars returns import inbox/*.xlsx
      circulars returns status panzhihua-2024-07
    """


@returns.command("forms")
@click.argument("circular_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Output folder (relative to the project). Default: {FORMS_DIR}/ID.",
)
@click.option(
    "--org", "orgs", multiple=True, metavar="ORG", help="Only this organization's form (repeatable)."
)
@REGISTER_OPTION
@click.pass_obj
def forms(
    obj: Context, circular_id: str, output: Path | None, orgs: tuple[str, ...], register_path: Path | None
) -> None:
    """Write one return form per responsible organization: OUTPUT/ORG.xlsx.

    Each form is prefilled with the circular's number, title and deadlines and
    has a row per requirement or target the organization answers for, with
    columns to fill in: status (a drop-down), achieved value, date, note and
    contact person. Everything else is protected. The form knows its
    circular, edition and organization, so an import never has to guess,
    and carries a token made with the form key beside the register, so that
    no organization can file for another. OUTPUT may not be (or lie in) the
    project's sources.

    \b
    Examples:
      circulars returns forms panzhihua-2024-07
      circulars returns forms panzhihua-2024-07 -o forms/ --org geliping-park-federation
    """
    from ..distribution.returns.forms import ReturnsError, write_forms  # lazily: see the module's docstring
    from ..distribution.returns.tokens import FormKey, key_path
    from ..site.outputs import UnsafeOutput, check_output, docs_dir

    project = obj.load()
    circular = _circular(project, circular_id)
    orgs = tuple(named_or_given(project.registry, org, "--org") for org in orgs)
    out_dir = in_project(project.root, output) if output else project.root / FORMS_DIR / circular.id
    try:
        check_output(out_dir, project.root, docs_dir(project.root), _("return forms"))
    except UnsafeOutput as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    key = FormKey(key_path(_register_path(project, register_path)))
    try:
        written = write_forms(project, circular, out_dir, list(orgs) or None, key)
    except ReturnsError as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(
            _("error: cannot write {path}: {reason}").format(
                path=error.filename or out_dir, reason=error.strerror or error
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    if not written:
        click.echo(
            _("error: {id}: no requirement names a responsible organization").format(id=circular.id), err=True
        )
        sys.exit(EXIT_INVALID)
    click.echo(_heading(project, circular))
    click.echo(
        ngettext("{count} form in {folder}/", "{count} forms in {folder}/", len(written)).format(
            count=len(written), folder=shown_path(out_dir, project.root)
        )
    )


@returns.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@REGISTER_OPTION
@click.pass_obj
def import_(obj: Context, files: tuple[Path, ...], register_path: Path | None) -> None:
    """Check filled return forms (.xlsx) or hand-written returns (.yaml) and record them.

    Every problem of every file is reported at once, with the file and cell.
    A file with any problem records nothing; each other file's answers are
    added to returns/ID/ORG.yaml (earlier answers stay). A file already
    recorded (the same bytes) is not recorded again. Exits 1 if any file was
    refused. A form's token is checked with the form key beside the register
    the forms were made with (--register).

    \b
    A hand-written return (for answers that came by letter or telephone):
      circular: panzhihua-2024-07
      organization: geliping-park-federation
      who: 张三
      answers:
        - {requirement: 2, target: 1, status: in-progress, value: 85%, date: 2024-05-20}

    \b
    Examples:
      circulars returns import inbox/geliping-park-federation.xlsx
      circulars returns import inbox/*.xlsx phoned-in.yaml
    """
    from ..distribution.returns.importing import import_returns  # lazily: see the module's docstring
    from ..distribution.returns.tokens import FormKey, key_path

    project = obj.load()
    fail_on_errors(project)
    on = _today()
    key = FormKey(key_path(_register_path(project, register_path)))
    outcomes = import_returns(project, [(f, printable(f)) for f in files], on, key=key)
    refused = recorded = duplicates = 0
    for outcome in outcomes:
        received = outcome.received
        if received.problems:
            refused += 1
            for problem in received.problems:
                click.echo(f"{problem}", err=True)
        elif outcome.recorded:
            recorded += 1
            click.echo(
                ngettext(
                    "{file}: recorded {count} answer of {org} on {id} in {record}",
                    "{file}: recorded {count} answers of {org} on {id} in {record}",
                    len(received.answers),
                ).format(
                    file=received.shown,
                    count=len(received.answers),
                    org=received.organization,
                    id=received.circular,
                    record=shown_path(outcome.record, project.root),
                )
            )
        elif outcome.duplicate:
            duplicates += 1
            click.echo(
                _("{file}: already recorded (the same file); nothing added").format(file=received.shown)
            )
        else:
            click.echo(
                _("warning: {file}: nothing is filled in; nothing recorded").format(file=received.shown),
                err=True,
            )
    summary = [_("{count} recorded").format(count=recorded)]
    if duplicates:
        summary.append(_("{count} already recorded").format(count=duplicates))
    if refused:
        summary.append(
            ngettext(
                "{count} refused (nothing recorded from it)",
                "{count} refused (nothing recorded from them)",
                refused,
            ).format(count=refused)
        )
    files = ngettext("{count} file", "{count} files", len(outcomes)).format(count=len(outcomes))
    click.echo(_("{files}: {summary}").format(files=files, summary=_(", ").join(summary)))
    if refused:
        sys.exit(EXIT_INVALID)


@click.command()
@click.argument("circular_id", metavar="ID")
@click.option(
    "--days",
    default=7,
    show_default=True,
    type=click.IntRange(min=0, max=MAX_DAYS),
    help=f"Also remind of items due within N days (at most {MAX_DAYS}).",
)
@click.option("--send", is_flag=True, help="Email each organization its reminder and its form.")
@click.option("--dry-run", is_flag=True, help="Show who would be reminded of what; send and record nothing.")
@REGISTER_OPTION
@click.pass_obj
def remind(
    obj: Context, circular_id: str, days: int, send: bool, dry_run: bool, register_path: Path | None
) -> None:
    """List (or email) the organizations with items overdue or due within N days.

    An item is due when it is not reported done and its deadline has passed
    or comes within --days. With --send, each organization gets one email
    listing its items, with its return form attached again, over the same
    SMTP settings as `circulars distribute`; what was sent is recorded in the
    register, and no organization is reminded twice on one day.

    \b
    Examples:
      circulars remind panzhihua-2024-07
      circulars remind panzhihua-2024-07 --days 14 --send --dry-run
      circulars remind panzhihua-2024-07 --send
    """
    import sqlite3  # lazily: see the module's docstring

    from ..distribution.mailer import MailError, SmtpSettings
    from ..distribution.returns.forms import ReturnsError
    from ..distribution.returns.reminders import ReminderLog, RemindError, Reminders
    from ..distribution.returns.tokens import FormKey, key_path

    project = obj.load()
    circular = _circular(project, circular_id)
    key = FormKey(key_path(_register_path(project, register_path)))
    try:
        reminders = Reminders(project, circular, days, _today(), key)
    except RemindError as error:
        click.echo(_("error: {id}: {error}").format(id=circular.id, error=error), err=True)
        sys.exit(EXIT_INVALID)
    for d in reminders.progress.problems.sorted():
        click.echo(d.format(project.root), err=True)
    if reminders.progress.problems.has_errors():
        sys.exit(EXIT_INVALID)
    register = None
    if (send and not dry_run) or _register_path(project, register_path).exists():
        register = _open_register(project, register_path)
    try:
        log = ReminderLog(register) if register is not None else None
        reminders.look_up(log)
        if not send or dry_run:
            _show_plan(project, reminders, send)
            return
        settings = SmtpSettings.load(project.root)
        report = reminders.send(settings, log)
    except (RemindError, ReturnsError, MailError) as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    except sqlite3.Error as error:  # locked by another program for too long, or damaged
        click.echo(
            _("error: the register {path}: {error}").format(
                path=_register_path(project, register_path), error=error
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    finally:
        if register is not None:
            register.close()
    sent = len(report.sent)
    if report.already:
        line = ngettext(
            "Sent {count} reminder; {already} already sent today.",
            "Sent {count} reminders; {already} already sent today.",
            sent,
        )
    else:
        line = ngettext("Sent {count} reminder.", "Sent {count} reminders.", sent)
    click.echo(line.format(count=sent, already=len(report.already)))
    for reminder, error in report.failed:
        click.echo(
            _("error: {id}: reminder to {org} failed: {error}").format(
                id=circular.id, org=reminder.organization.id, error=error
            ),
            err=True,
        )
    for reminder in report.unconfirmed:
        click.echo(
            _(
                "warning: {id}: the reminder to {org} may or may not have arrived; it is not sent again today"
            ).format(id=circular.id, org=reminder.organization.id),
            err=True,
        )
    if report.failed or report.unconfirmed:
        sys.exit(EXIT_INVALID)


def _show_plan(project: Project, reminders: Reminders, send: bool) -> None:
    from ..distribution.returns.reminders import SENDING, SENT  # lazily: see the module's docstring

    click.echo(_heading(project, reminders.circular))
    rows = []
    for reminder in reminders.reminders:
        items = [
            (_("{item} ({deadline}, overdue)") if r.overdue else _("{item} ({deadline})")).format(
                item=r.item.label, deadline=r.item.deadline.isoformat()
            )
            for r in reminder.rows
        ]
        today = {SENT: _("sent today"), SENDING: _("sent today?")}.get(reminder.already or "", "")
        rows.append(
            [
                reminder.organization.id,
                reminders.name_of(reminder),
                reminder.organization.email or _("(no address)"),
                "; ".join(items),
                today,
            ]
        )
    if rows:
        headers = [_("ORGANIZATION"), _("NAME"), _("EMAIL"), _("ITEMS DUE"), _("REMINDER")]
        click.echo(table(headers, rows, max_width=80))
    counts = Counter(bool(r.already in (SENT, SENDING)) for r in reminders.reminders)
    count = len(reminders.reminders)
    if reminders.days:
        line = ngettext(
            "{count} organization with items overdue or due within {days} days ({today})",
            "{count} organizations with items overdue or due within {days} days ({today})",
            count,
        )
    else:
        line = ngettext(
            "{count} organization with items overdue or due today ({today})",
            "{count} organizations with items overdue or due today ({today})",
            count,
        )
    parts = [line.format(count=count, days=reminders.days, today=reminders.today.isoformat())]
    if counts[True]:
        parts.append(_("{count} already reminded today").format(count=counts[True]))
    if send:
        parts.append(_("nothing was sent (--dry-run)."))
    else:
        parts.append(_("nothing was sent (add --send to email them with their forms)."))
    click.echo(_("; ").join(parts))


COMMANDS = (returns, remind)
