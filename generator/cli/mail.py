"""Mail as the clerk sees it: `circulars mail test` (one message to the secretariat itself,
to try the SMTP settings before a circular goes to hundreds of unions), and what
`distribute --send` says of each copy as it goes and at the end."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

import click

from .common import EXIT_INVALID, Context, plural

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
        body = (
            "This message was sent by `circulars mail test` to check the mail settings:\n\n"
            f"  server    {s.host}:{s.port} ({s.security})\n"
            f"  login     {s.user or '(none)'}\n"
            f"  sender    {s.sender}\n\n"
            "It arrived, so `circulars distribute --send` can send circulars with them.\n"
        )
        message = build_message(
            settings,
            "",
            settings.envelope_sender,
            "circulars mail test",
            body,
            [],
            f"mail-test.{time.time_ns()}",  # each test a message of its own
        )
        with Mailer(settings) as mailer:
            mailer.send(message)
    except (MailError, DeliveryFailed) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(
        f"Sent a test message to {settings.envelope_sender} through {settings.host}:{settings.port}; "
        "check that it arrived."
    )


def copy_sent(distribution: Distribution):
    """One line per copy as it goes (who got what): the progress of a long run, and a record
    the secretariat can keep."""
    from ..distribution.copies import copy_number_text  # lazily: for start-up time, as in distribution.py
    from ..distribution.register import FAILED, SENDING, SENT

    # what became of it; any other status: another run took the copy meanwhile
    outcome = {SENT: "sent", FAILED: "FAILED", SENDING: "unconfirmed"}

    def show(copy, place: int, total: int) -> None:
        files = ", ".join(f.path for f in copy.files)
        what = outcome.get(copy.status, "skipped")
        click.echo(
            f"[{place}/{total}] {what}: copy {copy_number_text(copy.copy_number)} to "
            f"{distribution.name_of(copy.recipient)} <{copy.recipient.org.email}>: {files}"
        )

    return show


def show_report(report, distribution: Distribution) -> None:
    from ..distribution.copies import copy_number_text  # lazily: for start-up time, as in distribution.py

    click.echo(
        f"Sent {plural(len(report.sent), 'copy')}"
        + (f"; {report.already} already sent before" if report.already else "")
        + "."
    )
    for copy, error in report.failed:
        click.echo(
            f"error: {distribution.circular.id}: copy {copy_number_text(copy.copy_number)} to "
            f"{distribution.name_of(copy.recipient)} ({copy.recipient.org.id}) failed: {error}",
            err=True,
        )
    for copy, error in report.uncertain:
        click.echo(
            f"warning: {distribution.circular.id}: copy {copy_number_text(copy.copy_number)} to "
            f"{distribution.name_of(copy.recipient)} ({copy.recipient.org.id}) is unconfirmed: {error}. "
            "Not sent again: check with the recipient, or use --resend-unconfirmed.",
            err=True,
        )
    for copy in report.unconfirmed:
        click.echo(
            f"warning: {distribution.circular.id}: copy {copy_number_text(copy.copy_number)} to "
            f"{copy.recipient.org.id} was being sent when a run stopped; it may have arrived. "
            "Not sent again: check with the recipient, or use --resend-unconfirmed.",
            err=True,
        )
    if report.stopped:
        click.echo(f"error: {report.stopped}", err=True)
