"""Mail as the clerk sees it: `circulars mail test` (one message to the secretariat itself,
to try the SMTP settings before a circular goes to hundreds of unions), and what
`distribute --send` says of each copy as it goes and at the end."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from .common import EXIT_INVALID, Context

if TYPE_CHECKING:
    from ..distribution.run import Distribution


@click.group()
def mail() -> None:
    """The mail settings that `distribute --send` and `returns remind` use.

    \b
    Example:
      circulars mail test
    """


@mail.command("test")
@click.pass_obj
def mail_test(obj: Context) -> None:
    """Send one test message to the sender's own address (CIRCULARS_SMTP_FROM).

    Uses the same settings, connection and checks as `distribute --send`: if it
    arrives, the circulars will too; if not, the error names what to change.

    \b
    Example:
      CIRCULARS_SMTP_HOST=mail.example.org CIRCULARS_SMTP_FROM=secretariat@example.org circulars mail test
    """
    from ..distribution.mailer import DeliveryFailed, Mailer, MailError, SmtpSettings, build_message

    project = obj.load()
    try:
        settings = SmtpSettings.load(project.root)
        s = settings
        body = _(
            "This message was sent by `circulars mail test` to check the mail settings:\n\n"
            "  server    {host}:{port} ({security})\n"
            "  login     {login}\n"
            "  sender    {sender}\n\n"
            "It arrived, so `circulars distribute --send` can send circulars with them.\n"
        ).format(host=s.host, port=s.port, security=s.security, login=s.user or _("(none)"), sender=s.sender)
        message = build_message(
            settings,
            "",
            settings.envelope_sender,
            _("circulars mail test"),
            body,
            [],
            f"mail-test.{time.time_ns()}",  # each test a message of its own
        )
        with Mailer(settings) as mailer:
            mailer.send(message)
    except (MailError, DeliveryFailed) as error:
        click.echo(_("error: {error}").format(error=error), err=True)
        sys.exit(EXIT_INVALID)
    click.echo(
        _("Sent a test message to {address} through {host}:{port}; check that it arrived.").format(
            address=settings.envelope_sender, host=settings.host, port=settings.port
        )
    )


def copy_sent(distribution: Distribution):
    """One line per copy as it goes (who got what): the progress of a long run, and a record
    the secretariat can keep."""
    from ..distribution.copies import copy_number_text  # lazily: for start-up time, as in distribution.py
    from ..distribution.register import FAILED, SENDING, SENT

    # what became of it; any other status: another run took the copy meanwhile
    outcome = {SENT: _("sent"), FAILED: _("FAILED"), SENDING: _("unconfirmed")}

    def show(copy, place: int, total: int) -> None:
        files = ", ".join(f.path for f in copy.files)
        what = outcome.get(copy.status, _("skipped"))
        click.echo(
            _("[{place}/{total}] {outcome}: copy {copy} to {name} <{email}>: {files}").format(
                place=place,
                total=total,
                outcome=what,
                copy=copy_number_text(copy.copy_number),
                name=distribution.name_of(copy.recipient),
                email=copy.recipient.org.email,
                files=files,
            )
        )

    return show


def show_report(report, distribution: Distribution) -> None:
    from ..distribution.copies import copy_number_text  # lazily: for start-up time, as in distribution.py

    sent = len(report.sent)
    if report.already:
        line = ngettext(
            "Sent {count} copy; {already} already sent before.",
            "Sent {count} copies; {already} already sent before.",
            sent,
        )
    else:
        line = ngettext("Sent {count} copy.", "Sent {count} copies.", sent)
    click.echo(line.format(count=sent, already=report.already))
    circular_id = distribution.circular.id
    for copy, error in report.failed:
        click.echo(
            _("error: {id}: copy {copy} to {name} ({org}) failed: {error}").format(
                id=circular_id,
                copy=copy_number_text(copy.copy_number),
                name=distribution.name_of(copy.recipient),
                org=copy.recipient.org.id,
                error=error,
            ),
            err=True,
        )
    for copy, error in report.uncertain:
        click.echo(
            _(
                "warning: {id}: copy {copy} to {name} ({org}) is unconfirmed: {error}. "
                "Not sent again: check with the recipient, or use --resend-unconfirmed."
            ).format(
                id=circular_id,
                copy=copy_number_text(copy.copy_number),
                name=distribution.name_of(copy.recipient),
                org=copy.recipient.org.id,
                error=error,
            ),
            err=True,
        )
    for copy in report.unconfirmed:
        click.echo(
            _(
                "warning: {id}: copy {copy} to {org} was being sent when a run stopped; it may have arrived. "
                "Not sent again: check with the recipient, or use --resend-unconfirmed."
            ).format(id=circular_id, copy=copy_number_text(copy.copy_number), org=copy.recipient.org.id),
            err=True,
        )
    if report.stopped:
        click.echo(_("error: {error}").format(error=report.stopped), err=True)
