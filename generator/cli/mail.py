"""`circulars mail test`: one message to the secretariat itself, to try the SMTP settings
before a circular goes to hundreds of unions."""

from __future__ import annotations

import sys
import time

import click

from .common import EXIT_INVALID, Context


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
