"""Commands that distribute: numbered copies and mail, the register (verify.py: which copy a file is).

The stage modules (the register, the mailer, the copies and the distribution
run with their Jinja, Markdown, lxml and openpyxl) are imported inside the
commands that use them, so that `circulars --help` and `circulars check` do not
pay for them: for start-up time only, never to dodge an import cycle (there is none).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..distribution import DEFAULT_REGISTER, DIST_DIR
from ..distribution.returns.tokens import register_path
from ..i18n import _, ngettext
from .common import (
    EXIT_INVALID,
    Context,
    fail_on_errors,
    in_project,
    named_or_given,
    selected_circulars,
    shown_path,
)
from .mail import copy_sent, show_report
from .terminal import table

if TYPE_CHECKING:
    from ..distribution.register import Register
    from ..distribution.run import Distribution
    from ..source.project import Project


def _register_path(project: Project, option: Path | None) -> Path:
    return register_path(project.root, option)


def _open_register(project: Project, option: Path | None, must_exist: bool = False) -> Register:
    from ..distribution.register import Register, RegisterError  # lazily: see the module's docstring

    path = _register_path(project, option)
    if must_exist and not path.exists():
        click.echo(
            _("error: no register at {path}: nothing has been distributed yet").format(path=path), err=True
        )
        sys.exit(EXIT_INVALID)
    try:
        return Register(path)
    except RegisterError as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)


REGISTER_OPTION = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"The SQLite register. Default: $CIRCULARS_REGISTER or {DEFAULT_REGISTER} in the project.",
)


def _role(role: str) -> str:
    """main or cc as the reader's language says it (the JSON keeps the register's word)."""
    return _("main") if role == "main" else _("cc")


def _status(status: str) -> str:
    """A copy's status in the register as the reader's language says it."""
    words = {
        "allocated": _("allocated"),
        "prepared": _("prepared"),
        "sending": _("sending"),
        "sent": _("sent"),
        "failed": _("failed"),
        "acknowledged": _("acknowledged"),
    }
    return words.get(status, status)


def _progress(total: int, label: str):
    """A progress bar on the terminal (none when output is piped)."""
    from tqdm import tqdm  # imported here for start-up time only (0.02 s), not for a cycle

    return tqdm(total=total, desc=label, unit=_("copy"), file=sys.stderr, disable=None, leave=False)


@click.command()
@click.argument("circular_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help=f"Output folder (relative to the project). Default: {DIST_DIR}/ID.",
)
@click.option("--dry-run", is_flag=True, help="List who would receive what; write nothing.")
@click.option("--send", is_flag=True, help="Email each recipient its copy (only those not sent yet).")
@click.option(
    "--pdf/--no-pdf", default=None, help="Add a PDF of each copy. Default: when LibreOffice is installed."
)
@click.option(
    "--resend-unconfirmed",
    is_flag=True,
    help="Also send copies whose sending was interrupted (they may have arrived already).",
)
@click.option(
    "--with-redline",
    is_flag=True,
    help=_(
        "For a corrected edition, put beside each copy a Word document with the changes from "
        "the edition before tracked (the redline)."
    ),
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes. Default: one per core.")
@REGISTER_OPTION
@click.pass_obj
def distribute(
    obj: Context,
    circular_id: str,
    output: Path | None,
    dry_run: bool,
    send: bool,
    pdf: bool | None,
    resend_unconfirmed: bool,
    with_redline: bool,
    jobs: int | None,
    register_path: Path | None,
) -> None:
    """Make a numbered, addressed copy of an issued circular for each recipient.

    Resolves the main and CC recipients through the union tree and writes, for
    each, a folder COPYNO-RECIPIENT/ with the Word document (its six-digit copy
    number and the recipient printed on it), the attachments, its return form
    ORG.xlsx if it answers for any requirement (see `circulars returns`) and,
    where LibreOffice is installed, a PDF; then manifest.csv, manifest.json and
    SHA256SUMS. Every copy is recorded in the register: running it again gives
    the same copies the same numbers, a new recipient the next number, and a
    changed circular a new edition.

    With --send, each recipient's files are emailed to its contact address in
    the registry, the cover note saying how and by when to return its form,
    over SMTP configured by the environment (CIRCULARS_SMTP_HOST,
    CIRCULARS_SMTP_PORT, CIRCULARS_SMTP_SECURITY=starttls|ssl|none,
    CIRCULARS_SMTP_USER, CIRCULARS_SMTP_PASSWORD, CIRCULARS_SMTP_FROM) or the
    [smtp] table of circulars.toml; CIRCULARS_SMTP_FROM, the secretariat's
    address, is required (try the settings with `circulars mail test`). Each
    copy sent is listed as it goes; copies already sent are never sent again.
    A circular changed after it went out is a new edition, sent as a
    correction (更正) of the copy each recipient had. Each edition's text is
    kept under editions/ID/; with --with-redline, a corrected edition's copies
    carry ID-changes-edition-N.docx, its changes from the edition before as
    Word tracked changes.

    \b
    Examples:
      circulars distribute panzhihua-2024-07 --dry-run
      circulars distribute panzhihua-2024-07
      CIRCULARS_SMTP_HOST=mail.example.org circulars distribute panzhihua-2024-07 --send
    """
    import sqlite3  # lazily: see the module's docstring

    from ..distribution.mailer import MailError, SmtpSettings
    from ..distribution.register import RegisterError
    from ..distribution.run import Distribution, DistributionError, default_out_dir
    from ..site.outputs import UnsafeOutput, check_output, docs_dir

    project = obj.load()
    fail_on_errors(project)
    selected_circulars(project, (circular_id,))
    out_dir = in_project(project.root, output) if output else default_out_dir(project, circular_id)
    try:  # as build and returns forms do: copies never land in the project's sources
        check_output(out_dir, project.root, docs_dir(project.root), _("copies"))
    except UnsafeOutput as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    register = None
    if not dry_run or _register_path(project, register_path).exists():
        register = _open_register(project, register_path)
    try:
        distribution = Distribution(project, circular_id, out_dir, register)
        distribution.with_redline = with_redline
        distribution.jobs = jobs
        if dry_run:
            _show_dry_run(distribution, project, pdf)
            return
        settings = SmtpSettings.load(project.root) if send else None
        with _progress(len(distribution.recipients), _("copies prepared")) as bar:
            summary = distribution.prepare(pdf, bar.update)
        _show_summary(summary, project, distribution)
        if send:
            report = distribution.send(summary, settings, resend_unconfirmed, copy_sent(distribution))
            show_report(report, distribution)
            if report.failed or report.unconfirmed or report.uncertain or report.stopped:
                sys.exit(EXIT_INVALID)
    except (DistributionError, MailError, RegisterError) as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    except sqlite3.Error as error:
        click.echo(
            _("error: the register {path}: {error}").format(
                path=register.path if register else "", error=error
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(
            _("error: {id}: cannot write {path}: {reason}").format(
                id=circular_id, path=error.filename or out_dir, reason=error.strerror or error
            ),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    finally:
        if register is not None:
            register.close()


def _show_dry_run(distribution: Distribution, project: Project, pdf: bool | None) -> None:
    from ..distribution.copies import copy_number_text  # lazily: see the module's docstring
    from ..distribution.edition import earlier_editions
    from ..docx.preview import soffice
    from ..source.document_numbers import document_number
    from ..source.inline_markup import to_plain

    circular = distribution.circular
    rows = []
    want_pdf = bool(soffice()) if pdf is None else pdf
    for recipient, number in distribution.dry_run():
        rows.append(
            [
                copy_number_text(number) if number else _("new"),
                _role(recipient.role),
                recipient.org.id,
                distribution.name_of(recipient),
                recipient.org.email or _("(no address)"),
                ", ".join(distribution.planned_files(recipient, number or 0, want_pdf)).replace(
                    "000000", "NNNNNN"
                ),
            ]
        )
    click.echo(f"{circular.id}: {document_number(circular, project.registry)} {to_plain(circular.title)}")
    edition, register = distribution.maker.edition, distribution.register
    known = register.edition_number(circular.id, edition) if register else None
    earlier = earlier_editions(register, circular.id, edition)
    _show_edition(distribution, known or len(earlier) + 1, known is None)
    # nothing cut: the dry run is read to see every file each recipient would get
    headers = [_("COPY"), _("ROLE"), _("RECIPIENT"), _("NAME"), _("EMAIL"), _("FILES")]
    click.echo(table(headers, rows, max_width=None))
    click.echo(
        ngettext(
            "{count} copy would be made; nothing was written (--dry-run).",
            "{count} copies would be made; nothing was written (--dry-run).",
            len(rows),
        ).format(count=len(rows))
    )


def _show_edition(distribution: Distribution, number: int, new: bool) -> None:
    """Which edition this is, and, when the circular changed after an earlier one went out,
    who got that one and when: its copies are replaced by this edition's, as corrections."""
    from ..distribution.edition import earlier_editions  # lazily: see the module's docstring
    from ..distribution.register import shown_time

    circular, edition = distribution.circular, distribution.maker.edition
    line = _("{id}: edition {number} ({edition})").format(id=circular.id, number=number, edition=edition[:12])
    earlier = earlier_editions(distribution.register, circular.id, edition)
    if new and earlier:
        last = earlier[-1]
        if last.sent:
            line += ngettext(
                "; edition {number} went to {count} recipient on {when}: the circular changed since, "
                "so each gets this edition as a correction (更正) replacing its copy",
                "; edition {number} went to {count} recipients on {when}: the circular changed since, "
                "so each gets this edition as a correction (更正) replacing its copy",
                last.sent,
            ).format(number=last.number, count=last.sent, when=shown_time(last.last_sent_at))
        else:
            line += _(
                "; the circular changed since edition {number} was prepared on {when} (none of it was sent)"
            ).format(number=last.number, when=shown_time(last.created_at))
        if last.sent and not distribution.circular.changes:
            click.echo(
                _(
                    "warning: {id}: the circular has no `changes:` note, so the "
                    "correction will not tell recipients what changed"
                ).format(id=distribution.circular.id),
                err=True,
            )
    click.echo(line)


def _show_summary(summary, project: Project, distribution: Distribution) -> None:
    _show_edition(distribution, summary.edition_number, summary.new_edition)
    main_count = sum(1 for c in summary.copies if c.recipient.role == "main")
    count = len(summary.copies)
    copies = ngettext(
        "{count} copy ({main} main, {cc} CC; {new} new) in {folder}/",
        "{count} copies ({main} main, {cc} CC; {new} new) in {folder}/",
        count,
    ).format(
        count=count,
        main=main_count,
        cc=count - main_count,
        new=summary.new_copies,
        folder=shown_path(summary.out_dir, project.root),
    )
    extras = [_(", with PDFs")] if summary.pdfs else []
    if summary.forms:
        extras.append(
            ngettext(", {count} return form", ", {count} return forms", summary.forms).format(
                count=summary.forms
            )
        )
    click.echo(
        _("{copies}{extras}; manifest.csv, manifest.json and SHA256SUMS beside them.").format(
            copies=copies, extras="".join(extras)
        )
    )
    for number in sorted({n for n, _folder in summary.superseded}):
        folders = [folder for n, folder in summary.superseded if n == number]
        click.echo(
            ngettext(
                "{count} folder of edition {number} (superseded) in {folder}/.",
                "{count} folders of edition {number} (superseded) in {folder}/.",
                len(folders),
            ).format(
                count=len(folders),
                number=number,
                folder=f"{shown_path(summary.out_dir, project.root)}/{Path(folders[0]).parent.as_posix()}",
            )
        )
    for note in summary.notes:
        click.echo(_("warning: {warning}").format(warning=note), err=True)


@click.group()
def distribution() -> None:
    """The register of distributed copies: status and receipts.

    \b
    Examples:
      circulars distribution status panzhihua-2024-07
      circulars distribution ack panzhihua-2024-07 geliping-coking-union
    """


@distribution.command("status")
@click.argument("circular_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@REGISTER_OPTION
@click.pass_obj
def distribution_status(obj: Context, circular_id: str, as_json: bool, register_path: Path | None) -> None:
    """Show every copy of a circular: recipient, copy number, edition, status.

    \b
    Examples:
      circulars distribution status panzhihua-2024-07
      circulars distribution status panzhihua-2024-07 --json
    """
    from ..distribution.copies import copy_number_text  # lazily: see the module's docstring
    from ..distribution.register import shown_time

    project = obj.load()
    register = _open_register(project, register_path, must_exist=True)
    try:
        editions = dict(register.editions(circular_id))
        copies = register.copies(circular_id)
    finally:
        register.close()
    if not copies:
        click.echo(_("error: no copies of '{id}' in the register").format(id=circular_id), err=True)
        sys.exit(EXIT_INVALID)
    source = project.source(circular_id)
    lang = source.circular.language if source else "zh"
    names = {o.id: o.name.best(lang) for o in project.registry.organizations.values()}
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "copy_number": copy_number_text(c.copy_number),
                        "recipient_id": c.recipient_id,
                        "role": c.role,
                        "edition": editions.get(c.edition),
                        "status": c.status,
                        "channel": c.channel,
                        "prepared_at": c.prepared_at,
                        "sent_at": c.sent_at,
                        "acknowledged_at": c.acknowledged_at,
                        "error": c.error,
                    }
                    for c in copies
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    rows = [
        [
            copy_number_text(c.copy_number),
            c.recipient_id,
            names.get(c.recipient_id, "?"),
            _role(c.role),
            str(editions.get(c.edition, "?")),
            _status(c.status),
            shown_time(c.sent_at),
            shown_time(c.acknowledged_at),
        ]
        for c in copies
    ]
    click.echo(
        table(
            [
                _("COPY"),
                _("RECIPIENT"),
                _("NAME"),
                _("ROLE"),
                _("EDITION"),
                _("STATUS"),
                _("SENT"),
                _("ACKNOWLEDGED"),
            ],
            rows,
        )
    )
    counts = Counter(c.status for c in copies)
    counted = [
        _("{count} {status}").format(count=n, status=_status(status)) for status, n in sorted(counts.items())
    ]
    click.echo(_(", ").join(counted))


@distribution.command("ack")
@click.argument("circular_id", metavar="ID")
@click.argument("recipient_id", metavar="RECIPIENT")
@REGISTER_OPTION
@click.pass_obj
def distribution_ack(obj: Context, circular_id: str, recipient_id: str, register_path: Path | None) -> None:
    """Record that RECIPIENT has received its copy of circular ID.

    Acknowledges the recipient's copy of the latest edition it was given.
    RECIPIENT is the organization's id or its name (full or short).

    \b
    Example:
      circulars distribution ack panzhihua-2024-07 geliping-park-federation
    """
    from ..distribution.copies import copy_number_text  # lazily: see the module's docstring
    from ..distribution.register import ACKNOWLEDGED

    project = obj.load()
    # a name is taken for its id; an id no longer in the registry may still have copies
    recipient_id = named_or_given(project.registry, recipient_id, "RECIPIENT")
    register = _open_register(project, register_path, must_exist=True)
    try:
        copies = [c for c in register.copies(circular_id) if c.recipient_id == recipient_id]
        if not copies:
            click.echo(
                _("error: {id}: no copy was made for '{org}'").format(id=circular_id, org=recipient_id),
                err=True,
            )
            sys.exit(EXIT_INVALID)
        latest = copies[-1]
        register.set_status(circular_id, latest.copy_number, ACKNOWLEDGED)
    finally:
        register.close()
    click.echo(
        _("{id}: copy {copy} acknowledged by {org}.").format(
            id=circular_id, copy=copy_number_text(latest.copy_number), org=recipient_id
        )
    )
